import type { Clock, Scheduler } from "@guildkit/core";

/** The global pause of one client: after a global 429, every request waits `retry_after`. */
export interface GlobalGate {
  /** Until when requests are paused (epoch ms), or null. */
  pausedUntil(): number | null;
  /** Pauses every request for `ms` from now (a longer pause already in force is kept). */
  pause(ms: number): void;
  /** Resolves once no pause is in force; rejects with the signal's reason when it aborts first. */
  wait(signal?: AbortSignal): Promise<void>;
}

/** Holds every request while a global 429 is in force. */
export function createGlobalGate(time: { clock: Clock; scheduler: Scheduler }): GlobalGate {
  const now = () => time.clock.now().getTime();
  let pausedUntil = 0;
  return {
    pausedUntil: () => (pausedUntil > now() ? pausedUntil : null),
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    async wait(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const left = pausedUntil - now();
        if (left <= 0) return;
        await time.scheduler.sleep(left, { signal });
      }
    },
  };
}
