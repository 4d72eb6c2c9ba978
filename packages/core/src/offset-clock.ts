import type { Clock, Scheduler, TimerHandle } from "./ports";

/** Options of {@link createOffsetClock}. */
export interface OffsetClockOptions {
  /** Reads the server's time (a database's `clock_timestamp()`, Redis's `TIME`, …). */
  read: (io?: { signal?: AbortSignal }) => Promise<Date>;
  /** This process's clock. */
  base: Clock;
  /** Runs the periodic measurement. */
  scheduler: Scheduler;
  /** How often the offset is measured again (default 60 s). */
  refreshMs?: number;
  /** A periodic measurement failed (the last offset stays). */
  onError?: (error: unknown) => void;
}

/** A clock on a server's time: this process's clock plus the measured offset. */
export interface OffsetClock extends Clock {
  /** Milliseconds the server's clock is ahead of this process's (negative: behind); 0 until measured. */
  offsetMs(): number;
  /** Measures the offset now (the caller's first measurement; then every `refreshMs`). */
  measure(io?: { signal?: AbortSignal }): Promise<void>;
  /** Stops the periodic measurement. */
  stop(): void;
}

/**
 * A `Clock` on another server's time, for processes that must agree on one clock whatever their
 * own say: the offset is measured with `read`, corrected by half the round trip, and again every
 * `refreshMs` on `scheduler`.
 */
export function createOffsetClock(options: OffsetClockOptions): OffsetClock {
  const { base, scheduler } = options;
  const refreshMs = options.refreshMs ?? 60_000;
  const onError = options.onError ?? (() => {});
  let offset = 0;
  let timer: TimerHandle | null = null;
  let stopped = false;
  const measure = async (io?: { signal?: AbortSignal }) => {
    const before = base.now().getTime();
    const server = (await options.read(io)).getTime();
    const after = base.now().getTime();
    if (Number.isFinite(server)) offset = Math.round(server - (before + after) / 2);
  };
  const next = () => {
    if (stopped) return;
    timer = scheduler.setTimer(new Date(base.now().getTime() + refreshMs), () => {
      void measure().catch(onError).finally(next);
    });
  };
  next();
  return {
    now: () => new Date(base.now().getTime() + offset),
    offsetMs: () => offset,
    measure,
    stop() {
      stopped = true;
      if (timer) scheduler.clear(timer);
    },
  };
}
