/**
 * `@guildkit/core/system` — the one system clock and scheduler, on `Date` and `setTimeout`. Apps and
 * adapters use these; cores only ever receive them. This entry is the documented exception to "no
 * timers, no system clock" (DESIGN.md): everything else takes a `Clock` and a `Scheduler`.
 *
 * @packageDocumentation
 */
import type { Clock, IoOptions, Scheduler, TimerHandle } from "./ports";

/** The system clock. */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });

// setTimeout's delay is a signed 32-bit number of ms; longer waits are chained.
const MAX_DELAY_MS = 2_147_483_647;

interface ChainedTimer {
  timeout: ReturnType<typeof setTimeout> | null;
}

/** Arms `fn` for `at`; `keepAlive: false` (timers) lets the process exit, `true` (an awaited sleep) not. */
function arm(handle: ChainedTimer, at: number, fn: () => void, keepAlive: boolean): void {
  const delay = Math.max(0, at - Date.now());
  handle.timeout = setTimeout(
    () => {
      if (at - Date.now() > 0 && delay >= MAX_DELAY_MS) return arm(handle, at, fn, keepAlive);
      handle.timeout = null;
      fn();
    },
    Math.min(delay, MAX_DELAY_MS),
  );
  if (!keepAlive) handle.timeout.unref?.();
}

/**
 * The system scheduler: `setTimeout` underneath; `setTimer` timers are unref'd (they never keep a
 * process alive), an awaited `sleep` is not; waits longer than 24.8 days are chained.
 */
export const systemScheduler: Scheduler = Object.freeze({
  sleep(ms: number, opts: IoOptions = {}): Promise<void> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const handle: ChainedTimer = { timeout: null };
      const done = () => {
        if (handle.timeout) clearTimeout(handle.timeout);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      signal?.addEventListener("abort", done, { once: true });
      // An awaited sleep holds the process open, as a plain setTimeout would.
      arm(handle, Date.now() + Math.max(0, ms), done, true);
    });
  },
  setTimer(at: Date, fn: () => void): TimerHandle {
    const handle: ChainedTimer = { timeout: null };
    // A pending timer never keeps a process alive on its own; the app's own loops do.
    arm(handle, at.getTime(), fn, false);
    return handle;
  },
  clear(handle: TimerHandle): void {
    const timer = handle as ChainedTimer | null | undefined;
    if (timer?.timeout) clearTimeout(timer.timeout);
    if (timer) timer.timeout = null;
  },
});
