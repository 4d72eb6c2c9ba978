/**
 * The cross-process half of the start guard: a clustered budget's starts, counted in Redis on the
 * Redis server's clock. bottleneck plans starts `minTime` apart across processes, but each process
 * fires its own timer: one that fires late (an event-loop stall, a busy machine, the moments after a
 * database restart) starts next to another process's on-time start, and the server counts `rps + 1`
 * in a second. Here a start is admitted only while fewer than `rps` starts of the budget, in any
 * process, fall in the last `windowMs` — checked and recorded in one script, right before the request
 * is sent.
 *
 * As in the local guard (start-guard.ts), a start is judged by when the server can have seen it: a
 * request still unanswered holds its slot as if it arrived `stallCapMs` late, and once answered it
 * holds it for the part of its round trip beyond the fastest one this process has seen before (the
 * floor for its first request), less the margin the window already has. A request that reached the server late — a cold connection, a
 * stall on either side — then cannot slide into the next second next to another process's starts.
 */
import type { Scheduler } from "@guildkit/core";

/** The part of an ioredis client the guard calls. */
export interface RedisScriptClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// ARGV: window, rps, member, hold. A start is recorded at `now + hold` (its worst arrival while it is
// unanswered); a record blocks a slot until its score is `window` old.
const ADMIT = `local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local window = tonumber(ARGV[1])
local rps = tonumber(ARGV[2])
local hold = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < rps then
  redis.call('ZADD', KEYS[1], now + hold, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], (window + hold) * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], n - rps, n - rps, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)`;

// ARGV: member, the hold it was recorded with, the hold it keeps now that it has been answered.
const ANSWERED = `local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s then redis.call('ZADD', KEYS[1], 'XX', tonumber(s) - tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1]) end
return 0`;

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
  /** Most extra time a slow or unanswered request holds its slot (default 1 000 ms). */
  stallCapMs?: number;
  /** Floor of the server-side delay of any request, in ms (default 5). */
  floorMs?: number;
  scheduler: Scheduler;
  /** Redis errors: the start goes ahead (the budget's fallback covers a Redis that is away). */
  onError: (error: unknown) => void;
  /** Milliseconds of a monotonic clock (default `performance.now`), for round trips. */
  now?: () => number;
}

/** Admits starts across processes. */
export interface SharedStartGuard {
  /** Resolves when this start may go out; call the returned function once the request has been answered. */
  admit(): Promise<() => void>;
}

/** Creates the shared start guard (see the module comment). */
export function createSharedStartGuard(options: SharedStartGuardOptions): SharedStartGuard {
  const rps = Math.max(1, Math.floor(options.rps));
  const stallCapMs = options.stallCapMs ?? 1000;
  const floorMs = options.floorMs ?? 5;
  const now = options.now ?? (() => performance.now());
  // The window's own margin already covers this much lateness.
  const slack = Math.max(0, options.windowMs - 1000 - floorMs);
  let fastest = Number.POSITIVE_INFINITY;
  let sequence = 0;
  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const none = () => {};

  const answered = (client: RedisScriptClient, member: string, startedAt: number) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const elapsed = now() - startedAt;
      // Against the fastest round trip seen before this one: a process's first request (a cold
      // connection, the slowest of all) has no other to compare with and counts from the floor.
      const baseline = Number.isFinite(fastest) ? Math.min(fastest, elapsed) : Math.min(floorMs, elapsed);
      fastest = Math.min(fastest, elapsed);
      const hold = Math.round(Math.max(0, Math.min(stallCapMs, elapsed - baseline) - slack));
      client.eval(ANSWERED, 1, options.key, member, stallCapMs, hold).catch(options.onError);
    };
  };

  return {
    async admit() {
      sequence += 1;
      const member = `${unique}-${sequence}`;
      for (let tries = 0; tries < 200; tries++) {
        let wait: number;
        let client: RedisScriptClient;
        try {
          client = await options.client();
          wait = Number(await client.eval(ADMIT, 1, options.key, options.windowMs, rps, member, stallCapMs));
        } catch (error) {
          options.onError(error);
          return none;
        }
        if (!(wait > 0)) return answered(client, member, now());
        // A wait beyond the window comes from a request still in flight: look again soon, as its
        // answer frees the slot early.
        await options.scheduler.sleep(wait > options.windowMs ? Math.min(wait, 25) : Math.min(wait, 1000));
      }
      return none;
    },
  };
}
