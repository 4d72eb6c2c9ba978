import type { IoOptions } from "@guildkit/core";
import type { Kysely, SelectQueryBuilder } from "kysely";
import { encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import type { Database } from "../schema";

/** How long rows are kept, in ms, and how many one statement deletes. */
export interface RetentionPolicy {
  /** Delivered webhook outbox events, counted from `delivered_at` (default 7 days). Dead letters stay. */
  deliveredEventsMs: number;
  /** Event-log entries, counted from `at` (default 30 days). */
  eventLogMs: number;
  /** Rows per DELETE (default 1,000): each statement stays short and holds no long lock. */
  batchSize: number;
}

/** Outbox 7 days, event log 30 days, 1,000 rows per statement. */
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({
  deliveredEventsMs: 7 * 86_400_000,
  eventLogMs: 30 * 86_400_000,
  batchSize: 1_000,
});

/** What one purge removed. */
export interface RetentionReport {
  deliveredEvents: number;
  eventLog: number;
  /** DELETE statements run. */
  statements: number;
}

/** Options of {@link StoreRetention.purge}. */
export interface RetentionPurgeOptions extends IoOptions {
  policy?: Partial<RetentionPolicy>;
}

/** The retention port: purges by age, in batches. OAuth nonces and sessions have their own `purgeExpired`. */
export interface StoreRetention {
  /**
   * Deletes delivered outbox events and event-log entries older than the policy's ages (measured from
   * the store's clock), `batchSize` rows per statement until none is left; an abort stops between
   * batches (what was deleted stays deleted). Pending and dead events are never touched.
   */
  purge(opts?: RetentionPurgeOptions): Promise<RetentionReport>;
}

/** Runs `deleteBatch` until it deletes fewer than `batchSize` rows; returns the total. */
async function inBatches(
  deleteBatch: () => Promise<bigint | undefined>,
  batchSize: number,
  signal: AbortSignal | undefined,
  report: RetentionReport,
): Promise<number> {
  let total = 0;
  for (;;) {
    signal?.throwIfAborted();
    const deleted = Number((await deleteBatch()) ?? 0n);
    report.statements += 1;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

type Purged = "webhook_outbox" | "event_log";
type IdQuery<T extends Purged> = SelectQueryBuilder<Database, T, { id: Database[T]["id"] }>;

/** Deletes the rows of `table` whose ids `pick` selects; the number deleted. */
async function deleteIds<T extends Purged>(
  db: Kysely<Database>,
  table: T,
  pick: (q: IdQuery<T>) => IdQuery<T>,
): Promise<bigint | undefined> {
  const ids = pick(db.selectFrom(table as Purged).select("id") as unknown as IdQuery<T>);
  const result = await db
    .deleteFrom(table as Purged)
    .where("id", "in", ids as never)
    .executeTakeFirst();
  return result.numDeletedRows;
}

/**
 * The retention port on one kysely instance. Without `webhooks` (a store not serving that feature has
 * no outbox) it purges the event log only.
 */
export function createRetention(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  options: { webhooks?: boolean } = {},
): StoreRetention {
  const webhooks = options.webhooks ?? true;
  return {
    async purge(opts = {}) {
      const policy = { ...DEFAULT_RETENTION, ...opts.policy };
      const batchSize = Math.max(1, Math.floor(policy.batchSize));
      const now = clock.now().getTime();
      const report: RetentionReport = { deliveredEvents: 0, eventLog: 0, statements: 0 };
      // `delete … where id in (select id … limit n)`: one short statement per batch on both
      // dialects, driven by the partial index on delivered_at (migration 010) / event_log_at_idx.
      const deliveredBefore = encodeTime(dialect, new Date(now - policy.deliveredEventsMs));
      report.deliveredEvents = !webhooks
        ? 0
        : await inBatches(
            () =>
              deleteIds(db, "webhook_outbox", (q) =>
                q
                  .where("state", "=", "delivered")
                  .where("delivered_at", "<", deliveredBefore)
                  .orderBy("delivered_at")
                  .limit(batchSize),
              ),
            batchSize,
            opts.signal,
            report,
          );
      const loggedBefore = encodeTime(dialect, new Date(now - policy.eventLogMs));
      report.eventLog = await inBatches(
        () =>
          deleteIds(db, "event_log", (q) => q.where("at", "<", loggedBefore).orderBy("at").limit(batchSize)),
        batchSize,
        opts.signal,
        report,
      );
      return report;
    },
  };
}
