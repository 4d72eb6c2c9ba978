/**
 * The worker's clock, aligned to the database server's. Leases, due times and retry waits are
 * written by one worker and read by every other: a worker whose clock runs 30 s ahead would take
 * leases that others see as held 30 s too long (a killed worker's members then wait that much more)
 * and would find work due before it is. Each worker measures how far its clock is from the
 * database's (`store.databaseTime()`, corrected by half the round trip) at start and every minute,
 * and reads time as its own clock plus that offset.
 */
import type { Clock, Scheduler, TimerHandle } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";

/** Options of {@link createDatabaseClock}. */
export interface DatabaseClockOptions {
  /** Reads the database server's time (`store.databaseTime`). */
  read: (io?: { signal?: AbortSignal }) => Promise<Date>;
  /** This process's clock (default `systemClock`). */
  base?: Clock;
  scheduler?: Scheduler;
  /** How often the offset is measured again (default 60 s). */
  refreshMs?: number;
  /** A measurement failed (the last offset stays). */
  onError?: (error: unknown) => void;
}

/** A clock on the database's time, with the offset it applies. */
export interface DatabaseClock extends Clock {
  /** Milliseconds the database's clock is ahead of this process's (negative: behind). */
  offsetMs(): number;
  /** Measures the offset now. */
  measure(io?: { signal?: AbortSignal }): Promise<void>;
  /** Stops the periodic measurement. */
  stop(): void;
}

/** Creates the clock and measures its offset once (0 while the database does not answer). */
export async function createDatabaseClock(options: DatabaseClockOptions): Promise<DatabaseClock> {
  const base = options.base ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  const refreshMs = options.refreshMs ?? 60_000;
  const onError = options.onError ?? (() => {});
  let offset = 0;
  let timer: TimerHandle | null = null;
  let stopped = false;
  const measure = async (io?: { signal?: AbortSignal }) => {
    const before = base.now().getTime();
    const db = (await options.read(io)).getTime();
    const after = base.now().getTime();
    if (Number.isFinite(db)) offset = Math.round(db - (before + after) / 2);
  };
  const next = () => {
    if (stopped) return;
    timer = scheduler.setTimer(new Date(base.now().getTime() + refreshMs), () => {
      void measure().catch(onError).finally(next);
    });
  };
  await measure().catch(onError);
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
