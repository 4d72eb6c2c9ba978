import type { Clock, Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import type { WorkerContext, WorkerTask } from "./context";
import type { WorkerStore } from "./store";

/** Options of {@link createRetentionTask}. */
export interface RetentionTaskOptions {
  /** Between purges (default 1 hour). */
  intervalMs?: number;
  /** Ages and batch size (defaults: `DEFAULT_RETENTION` of the stores: outbox 7 days, event log 30). */
  policy?: NonNullable<Parameters<WorkerStore["retention"]["purge"]>[0]>["policy"];
  scheduler?: Scheduler;
  /** What "expired" is measured against for admin sessions (default: the system clock). */
  clock?: Clock;
}

/**
 * Retention: at start and then every `intervalMs`, purges delivered webhook outbox events and old
 * event-log entries by age (`store.retention.purge`, batches of 1,000 rows per statement, so no long
 * lock), and expired admin console sessions (`store.adminSessions`). Dead letters, pending events,
 * OAuth nonces and member sessions are not its business (the OAuth purge handles the latter two). A
 * failed purge is logged and retried at the next interval.
 */
export function createRetentionTask(options: RetentionTaskOptions = {}): WorkerTask {
  const intervalMs = options.intervalMs ?? 3_600_000;
  const scheduler = options.scheduler ?? systemScheduler;
  const clock = options.clock ?? systemClock;
  return {
    name: "retention",
    async run(ctx: WorkerContext, signal: AbortSignal) {
      while (!signal.aborted) {
        try {
          const report = await ctx.store.retention.purge({ policy: options.policy, signal });
          const adminSessions = await ctx.store.adminSessions.purgeExpired({ now: clock.now() }, { signal });
          if (report.deliveredEvents + report.eventLog + adminSessions > 0)
            ctx.logger.info({ ...report, adminSessions }, "retention: purged old rows");
        } catch (error) {
          if (signal.aborted) break;
          ctx.logger.warn({ err: error }, "retention purge failed; retrying at the next interval");
        }
        await scheduler.sleep(intervalMs, { signal });
      }
    },
  };
}

/** The retention task with its defaults. */
export const retentionTask: WorkerTask = createRetentionTask();
