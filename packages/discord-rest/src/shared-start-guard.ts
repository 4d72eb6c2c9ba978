/**
 * The cross-process half of the start guard: a clustered budget's starts, counted in Redis on the
 * Redis server's clock. bottleneck plans starts `minTime` apart across processes, but each process
 * fires its own timer: one that fires late (an event-loop stall, a busy machine, the moments after a
 * database restart) starts next to another process's on-time start, and the server counts `rps + 1`
 * in a second. Here a start is admitted only while fewer than `rps` starts of the budget, in any
 * process, fall in the last `windowMs` — checked and recorded in one script, right before the request
 * is sent.
 */
import type { Scheduler } from "@guildkit/core";

/** The part of an ioredis client the guard calls. */
export interface RedisScriptClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

const ADMIT = `local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local window = tonumber(ARGV[1])
local rps = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < rps then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], n - rps, n - rps, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)`;

/** Options of {@link createSharedStartGuard}. */
export interface SharedStartGuardOptions {
  /** Resolves with the budget's Redis client once the clustered limiter has one. */
  client: () => Promise<RedisScriptClient>;
  /** The sorted set of recent starts (one per budget id). */
  key: string;
  /** Starts allowed per window. */
  rps: number;
  /** The window, in ms (1 000 plus the budget's margin). */
  windowMs: number;
  scheduler: Scheduler;
  /** Redis errors: the start goes ahead (the budget's fallback covers a Redis that is away). */
  onError: (error: unknown) => void;
}

/** Admits one start at a time per call; resolves when this start may go out. */
export function createSharedStartGuard(options: SharedStartGuardOptions): { admit(): Promise<void> } {
  const rps = Math.max(1, Math.floor(options.rps));
  let sequence = 0;
  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  return {
    async admit() {
      sequence += 1;
      const member = `${unique}-${sequence}`;
      for (let tries = 0; tries < 200; tries++) {
        let wait: number;
        try {
          const client = await options.client();
          wait = Number(await client.eval(ADMIT, 1, options.key, options.windowMs, rps, member));
        } catch (error) {
          options.onError(error);
          return;
        }
        if (!(wait > 0)) return;
        await options.scheduler.sleep(Math.min(wait, 1000));
      }
    },
  };
}
