/** What the Redis-clustered budget adds to bottleneck's Redis datastore (see limiter.ts). */
import { createOffsetClock } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";

/**
 * Adapts bottleneck's Redis scripts to what they meet in production:
 *
 * - Redis 7 prefixes `ERR ` to the errors bottleneck's Lua scripts raise, so bottleneck no longer
 *   recognises `SETTINGS_KEY_NOT_FOUND` (the budget's keys are gone: Redis restarted empty, or the
 *   keys expired after `ttlMs` without use) and `UNKNOWN_CLIENT`, and fails every later request
 *   instead of re-creating them (SGrondin/bottleneck#205, #212, unfixed). The prefix is stripped from
 *   those two replies so its own recovery runs.
 * - bottleneck hands every script the process's `Date.now()`, so one process whose clock runs ahead
 *   sees the last start as long past and starts at once: the shared budget breaks. Every script gets
 *   the Redis server's time instead (`serverNow`).
 */
export function adaptBottleneckScripts(connection: unknown, serverNow: () => number): void {
  const target = connection as {
    __scriptArgs__?: (
      name: string,
      id: string,
      args: unknown[],
      cb: (err: unknown, replies: unknown) => void,
    ) => unknown[];
  };
  const original = target.__scriptArgs__;
  if (typeof original !== "function") return;
  target.__scriptArgs__ = function (this: unknown, name, id, args, cb) {
    if (typeof args[0] === "number") args[0] = serverNow();
    return original.call(this, name, id, args, (err, replies) => {
      if (err instanceof Error && /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)$/.test(err.message)) {
        err.message = err.message.slice(4);
      }
      cb(err, replies);
    });
  };
}

/** The Redis server's clock, measured with `TIME` (refreshed every minute). */
export function redisClockOffset(
  client: { time(): Promise<[string, string]> },
  onError: (e: unknown) => void,
) {
  const clock = createOffsetClock({
    read: async () => {
      const [seconds, micros] = await client.time();
      return new Date(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
    },
    base: systemClock,
    scheduler: systemScheduler,
    onError,
  });
  return { measure: () => clock.measure(), now: () => clock.now().getTime(), stop: () => clock.stop() };
}
