import { sql } from "kysely";
import { decodeId, decodeInteger, decodeTime } from "../codec";
import type { RoleSyncContext } from "./context";
import { claimStatement, DUE_AT_ONCE, dueCondition } from "./dialect";
import { createOutcomeRecorder, recordOutcome } from "./outcomes";
import type { SyncItem, SyncQueue } from "./ports";
import { membersById, type Row, toEntry } from "./rows";

/** The `role_sync_settings` row holding the applied-settings fingerprint. */
const APPLIED = "applied";

/** Claims up to `limit` due members (one statement, see `claimStatement`), oldest due first. */
async function claimDue(
  ctx: RoleSyncContext,
  opts: Parameters<SyncQueue["claimDue"]>[0],
): Promise<SyncItem[]> {
  const { t } = ctx;
  const columns = await ctx.checkColumns(opts.columns);
  const leaseExpiresAt = new Date(opts.now.getTime() + opts.leaseMs);
  const claimed = await claimStatement(ctx.dialect, {
    owner: opts.owner,
    leaseExpiresAt: t(leaseExpiresAt),
    dueBy: t(opts.dueBy ?? opts.now),
    now: t(opts.now),
    limit: opts.limit,
  }).execute(ctx.db);
  if (claimed.rows.length === 0) return [];
  const members = await membersById(
    ctx,
    claimed.rows.map((r) => r.member_id),
    columns,
  );
  const items = claimed.rows.map(
    (row): SyncItem => ({
      ...toEntry(ctx, row, members.get(decodeId(row.member_id)), columns),
      leaseOwner: opts.owner,
      leaseExpiresAt: decodeTime(row.lease_expires_at) ?? leaseExpiresAt,
    }),
  );
  // RETURNING has no order: oldest due first, changed members first.
  const due = (r: Row) => decodeTime(r.next_due_at)?.getTime() ?? 0;
  const order = new Map(claimed.rows.map((r) => [decodeId(r.member_id), due(r)]));
  return items.sort(
    (a, b) => order.get(a.memberId)! - order.get(b.memberId)! || (a.memberId < b.memberId ? -1 : 1),
  );
}

/** The full pass: creates missing rows of linked members, makes due those not checked since the cutoff. */
async function scheduleFullPass(
  ctx: RoleSyncContext,
  opts: { now: Date; checkedBefore: Date },
): Promise<number> {
  const { t, bool, db } = ctx;
  const now = t(opts.now);
  const id = sql.ref(ctx.members.id);
  const link = sql.ref(ctx.members.discordUserId);
  const inserted = await sql`insert into role_sync_state (member_id, next_due_at, dirty, version, attempts)
    select m.${id}, ${now}, ${bool(false)}, 0, 0 from ${ctx.table} m
    where m.${link} is not null
      and not exists (select 1 from role_sync_state s where s.member_id = m.${id})`.execute(db);
  // A member in backoff keeps its retry time (the interval never cuts a backoff short).
  const updated = await sql`update role_sync_state set next_due_at = ${now}
    where (checked_at is null or checked_at < ${t(opts.checkedBefore)})
      and (next_due_at is null or (next_due_at > ${now} and (state is null or state <> 'retrying')))
      and member_id in (select ${id} from ${ctx.table} where ${link} is not null)`.execute(db);
  return Number(inserted.numAffectedRows ?? 0n) + Number(updated.numAffectedRows ?? 0n);
}

/** Frees a lease without recording anything, only while `item` holds it. */
async function release(ctx: RoleSyncContext, item: SyncItem): Promise<boolean> {
  const result = await ctx.db
    .updateTable("role_sync_state")
    .set({ lease_owner: null, lease_expires_at: null })
    .where("member_id", "=", item.memberId)
    .where("lease_owner", "=", item.leaseOwner)
    .where("lease_expires_at", "=", ctx.t(item.leaseExpiresAt))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Marks members due at once (dirty, version bumped), by id and/or by recorded state. */
async function markDue(ctx: RoleSyncContext, opts: Parameters<SyncQueue["markDue"]>[0]): Promise<number> {
  const { t, bool } = ctx;
  const ids = opts.memberIds ?? [];
  const states = opts.states ?? [];
  if (ids.length === 0 && states.length === 0) return 0;
  const result = await ctx.db
    .updateTable("role_sync_state")
    .set({
      next_due_at: t(DUE_AT_ONCE),
      dirty: bool(true),
      version: sql`version + 1`,
      marked_at: t(opts.now),
    })
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb("member_id", "in", ids)] : []),
        ...(states.length > 0 ? [eb("state", "in", states)] : []),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Reads sync rows in member order after `after`, without claiming. */
async function scan(ctx: RoleSyncContext, opts: Parameters<SyncQueue["scan"]>[0]) {
  const columns = await ctx.checkColumns(opts.columns);
  let query = ctx.db.selectFrom("role_sync_state").selectAll().orderBy("member_id").limit(opts.limit);
  if (opts.after !== null) query = query.where("member_id", ">", opts.after);
  const rows = (await query.execute()) as Row[];
  const members = await membersById(
    ctx,
    rows.map((r) => r.member_id),
    columns,
  );
  return rows.map((r) => toEntry(ctx, r, members.get(decodeId(r.member_id)), columns));
}

/** The `SyncQueue` of a role-sync store: claims, leases, outcomes, the full pass, the applied settings. */
export function createSyncQueue(ctx: RoleSyncContext): SyncQueue {
  const { db, t } = ctx;
  const completeMany = createOutcomeRecorder(ctx);
  return {
    async claimDue(opts, io) {
      io?.signal?.throwIfAborted();
      return claimDue(ctx, opts);
    },
    async complete(item, outcome, io) {
      io?.signal?.throwIfAborted();
      return recordOutcome(ctx, item, outcome);
    },
    completeMany,
    async release(item, io) {
      io?.signal?.throwIfAborted();
      return release(ctx, item);
    },
    async markDue(opts, io) {
      io?.signal?.throwIfAborted();
      return markDue(ctx, opts);
    },
    async scheduleFullPass(opts, io) {
      io?.signal?.throwIfAborted();
      return scheduleFullPass(ctx, opts);
    },
    async countDue(opts, io) {
      io?.signal?.throwIfAborted();
      const row = await db
        .selectFrom("role_sync_state")
        .select((eb) => eb.fn.countAll().as("n"))
        .where(dueCondition({ now: t(opts.now), dueBy: t(opts.dueBy ?? opts.now) }))
        .executeTakeFirst();
      return decodeInteger(row?.n ?? 0);
    },
    async appliedSettings(io) {
      io?.signal?.throwIfAborted();
      const row = await db
        .selectFrom("role_sync_settings")
        .select("fingerprint")
        .where("name", "=", APPLIED)
        .executeTakeFirst();
      return row?.fingerprint ?? null;
    },
    async saveAppliedSettings(opts, io) {
      io?.signal?.throwIfAborted();
      const values = { fingerprint: opts.fingerprint, applied_at: t(opts.now) };
      await db
        .insertInto("role_sync_settings")
        .values({ name: APPLIED, ...values })
        .onConflict((oc) => oc.column("name").doUpdateSet(values))
        .execute();
    },
    async scan(opts, io) {
      io?.signal?.throwIfAborted();
      return scan(ctx, opts);
    },
  };
}
