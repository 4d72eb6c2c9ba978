import type { Clock, Scheduler } from "../src/ports";

/** A fake clock and scheduler: time moves only when a test advances it. */
export interface FakeTime {
  clock: Clock;
  scheduler: Scheduler;
  nowMs(): number;
  pendingTimers(): number;
  /** Moves time forward by `ms`, firing due timers in order and letting `settle` run after each. */
  advance(ms: number, settle?: () => Promise<void>): Promise<void>;
}

export function createFakeTime(start = Date.parse("2026-11-23T12:00:00Z")): FakeTime {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    clock: { now: () => new Date(now) },
    scheduler: {
      setTimer(at, fn) {
        const id = ++nextId;
        timers.set(id, { at: at.getTime(), fn });
        return id;
      },
      clear(handle) {
        timers.delete(handle as number);
      },
    },
    nowMs: () => now,
    pendingTimers: () => timers.size,
    async advance(ms, settle = async () => {}) {
      const target = now + ms;
      for (;;) {
        let first: [number, { at: number; fn: () => void }] | null = null;
        for (const entry of timers)
          if (entry[1].at <= target && (!first || entry[1].at < first[1].at)) first = entry;
        if (!first) break;
        timers.delete(first[0]);
        now = Math.max(now, first[1].at);
        first[1].fn();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}
