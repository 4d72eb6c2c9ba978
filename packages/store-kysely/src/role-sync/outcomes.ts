import type { IoOptions } from "@guildkit/core";
import { sql } from "kysely";
import type { RoleSyncContext } from "./context";
import { completeManyStatement, memberIdType, type OutcomeRow } from "./dialect";
import type { SyncItem, SyncOutcome } from "./ports";

/** Rows recorded per `completeMany` statement. */
const OUTCOMES_PER_STATEMENT = 500;

/**
 * Records one outcome and frees the lease, only while `item`'s lease holds; a final outcome of a
 * deleted member (`forget`) drops the row unless a change moved its version. Resolves `false` when
 * the lease was lost.
 */
export async function recordOutcome(
  ctx: RoleSyncContext,
  item: SyncItem,
  outcome: SyncOutcome,
): Promise<boolean> {
  const { db, t, bool } = ctx;
  const lease = t(item.leaseExpiresAt);
  if (outcome.forget) {
    const gone = await db
      .deleteFrom("role_sync_state")
      .where("member_id", "=", item.memberId)
      .where("lease_owner", "=", item.leaseOwner)
      .where("lease_expires_at", "=", lease)
      .where("version", "=", item.version)
      .executeTakeFirst();
    if (Number(gone.numDeletedRows) > 0) return true;
  }
  const same = sql`version = ${item.version}`;
  const result = await db
    .updateTable("role_sync_state")
    .set({
      state: outcome.state,
      attempts: outcome.attempts,
      last_error: outcome.lastError,
      checked_at: t(outcome.checkedAt),
      lease_owner: null,
      lease_expires_at: null,
      next_due_at: sql`case when ${same} then ${outcome.nextDueAt ? t(outcome.nextDueAt) : null} else next_due_at end`,
      dirty: sql`case when ${same} then ${bool(false)} else dirty end`,
    })
    .where("member_id", "=", item.memberId)
    .where("lease_owner", "=", item.leaseOwner)
    .where("lease_expires_at", "=", lease)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records the outcomes of a batch ({@link completeManyStatement} per 500); resolves how many were recorded. */
export function createOutcomeRecorder(ctx: RoleSyncContext) {
  let idType: Promise<string> | null = null;
  return async function recordMany(
    results: readonly { item: SyncItem; outcome: SyncOutcome }[],
    io?: IoOptions,
  ): Promise<number> {
    io?.signal?.throwIfAborted();
    const { t } = ctx;
    let recorded = 0;
    const rows: OutcomeRow[] = [];
    for (const { item, outcome } of results) {
      if (outcome.forget) {
        if (await recordOutcome(ctx, item, outcome)) recorded += 1;
        continue;
      }
      rows.push({
        memberId: item.memberId,
        leaseOwner: item.leaseOwner,
        leaseExpiresAt: t(item.leaseExpiresAt),
        version: item.version,
        state: outcome.state,
        attempts: outcome.attempts,
        lastError: outcome.lastError,
        checkedAt: t(outcome.checkedAt),
        nextDueAt: outcome.nextDueAt ? t(outcome.nextDueAt) : null,
      });
    }
    idType ??= memberIdType(ctx.db, ctx.dialect, ctx.members);
    const type = await idType;
    for (let start = 0; start < rows.length; start += OUTCOMES_PER_STATEMENT) {
      const chunk = rows.slice(start, start + OUTCOMES_PER_STATEMENT);
      const done = await completeManyStatement(ctx.dialect, chunk, type).execute(ctx.db);
      recorded += done.rows.length;
    }
    return recorded;
  };
}
