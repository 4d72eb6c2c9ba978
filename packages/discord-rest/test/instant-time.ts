import type { Scheduler } from "@guildkit/core";
import { createFakeTime } from "@guildkit/core/testing";

/**
 * Fake time (`createFakeTime` of `@guildkit/core/testing`) that moves forward on its own by every
 * wait asked of its scheduler, so a request that waits 1.5 s for a bucket runs at once; `waits` lists
 * each sleep and timer in milliseconds, in the order they were asked for.
 */
export function createInstantTime(start = 1_700_000_000_000) {
  const time = createFakeTime(start);
  const waits: number[] = [];
  const scheduler: Scheduler = {
    sleep(ms, opts) {
      waits.push(ms);
      const slept = time.scheduler.sleep(ms, opts);
      void time.advance(ms);
      return slept;
    },
    setTimer(at, fn) {
      const ms = Math.max(0, at.getTime() - time.now());
      waits.push(ms);
      const handle = time.scheduler.setTimer(at, fn);
      void time.advance(ms);
      return handle;
    },
    clear: (handle) => time.scheduler.clear(handle),
  };
  return { clock: time.clock, scheduler, waits, now: time.now };
}
