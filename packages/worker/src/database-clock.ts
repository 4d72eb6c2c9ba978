/**
 * The worker's clock, aligned to the database server's. Leases, due times and retry waits are
 * written by one worker and read by every other: a worker whose clock runs 30 s ahead would take
 * leases that others see as held 30 s too long (a killed worker's members then wait that much more)
 * and would find work due before it is. Each worker measures how far its clock is from the
 * database's (`store.databaseTime()`, corrected by half the round trip) at start and every minute,
 * and reads time as its own clock plus that offset.
 */
import { type Clock, createOffsetClock, type OffsetClock, type Scheduler } from "@guildkit/core";
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

/** A clock on the database's time, with the offset it applies (`OffsetClock` of `@guildkit/core`). */
export type DatabaseClock = OffsetClock;

/** Creates the clock and measures its offset once (0 while the database does not answer). */
export async function createDatabaseClock(options: DatabaseClockOptions): Promise<DatabaseClock> {
  const onError = options.onError ?? (() => {});
  const clock = createOffsetClock({
    read: options.read,
    base: options.base ?? systemClock,
    scheduler: options.scheduler ?? systemScheduler,
    ...(options.refreshMs ? { refreshMs: options.refreshMs } : {}),
    onError,
  });
  await clock.measure().catch(onError);
  return clock;
}
