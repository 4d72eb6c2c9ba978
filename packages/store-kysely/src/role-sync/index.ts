import type {
  Grant,
  GrantLedger,
  LinkedMember,
  LinkedMembers,
  MemberProfiles,
  SyncEntry,
  SyncItem,
  SyncQueue,
  SyncState,
} from "@guildkit/role-reconciler";
import { type Kysely, sql } from "kysely";
import { decodeId, decodeInteger, decodeTime, encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import { columnNames } from "../migrations/ddl";
import type { Database } from "../schema";
import {
  assertIdentifier,
  claimStatement,
  completeManyStatement,
  DUE_AT_ONCE,
  dueCondition,
  installTriggers,
  memberIdType,
  watchedColumns,
} from "./dialect";

/** A rule column the `members` table does not have. */
export class UnknownMemberColumnError extends Error {
  override readonly name = "UnknownMemberColumnError";
  readonly code = "unknown_member_column";
  readonly column: string;
  constructor(column: string) {
    super(`members has no column "${column}"; add it to the members table or fix the entitlement rules`);
    this.column = column;
  }
}

/** The role-sync ports of a store (structurally those of `@guildkit/role-reconciler`). */
export interface RoleSyncStore {
  queue: SyncQueue;
  ledger: GrantLedger;
  linkedMembers: LinkedMembers;
  profiles: MemberProfiles;
  /**
   * Makes the member triggers also watch these rule columns (besides `payment_status` and
   * `discord_user_id`); re-installs them only when the set changed. Throws
   * {@link UnknownMemberColumnError} for a column `members` lacks.
   */
  watchColumns(opts: { columns: readonly string[] }, io?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Number of members per recorded state (states nobody is in are absent; rows never checked are
   * not counted), for metrics and health pages.
   */
  countByState(io?: { signal?: AbortSignal }): Promise<Partial<Record<SyncState, number>>>;
}

const STATES: readonly SyncState[] = ["ok", "not_in_guild", "retrying", "permanent_error", "unlinked"];

/** The `role_sync_settings` row holding the applied-settings fingerprint. */
const APPLIED = "applied";

function asState(value: unknown): SyncState | null {
  return typeof value === "string" && (STATES as readonly string[]).includes(value)
    ? (value as SyncState)
    : null;
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "t";
}

type Row = Record<string, unknown>;

/**
 * The role-sync store on one kysely instance: the queue (claims, leases, outcomes), the grant
 * ledger, member lookups by Discord id, and profile writes.
 */
export function createRoleSyncStore(db: Kysely<Database>, dialect: Dialect, clock: Clock): RoleSyncStore {
  const t = (d: Date) => encodeTime(dialect, d);
  const bool = (b: boolean) => (dialect === "postgres" ? b : b ? 1 : 0);
  let knownColumns: Set<string> | null = null;
  let idType: Promise<string> | null = null;
  // The migration installs the triggers for the default columns; only other rule columns need DDL.
  let watched: string | null = watchedColumns([]).join(",");

  async function checkColumns(columns: readonly string[]): Promise<string[]> {
    if (columns.length === 0) return [];
    knownColumns ??= new Set(await columnNames(db, dialect, "members"));
    for (const column of columns) {
      assertIdentifier(column);
      if (!knownColumns.has(column)) {
        knownColumns = new Set(await columnNames(db, dialect, "members"));
        if (!knownColumns.has(column)) throw new UnknownMemberColumnError(column);
      }
    }
    return [...columns];
  }

  /** Members by id with the columns an entry needs. */
  async function membersById(ids: readonly unknown[], columns: readonly string[]): Promise<Map<string, Row>> {
    if (ids.length === 0) return new Map();
    const extra = columns.map((c) => sql`${sql.ref(c)} as ${sql.ref(`a_${c}`)}`);
    const rows = await sql<Row>`select id, discord_user_id, discord_username, discord_avatar_hash
      ${extra.length > 0 ? sql`, ${sql.join(extra)}` : sql``}
      from members where id in (${sql.join(ids)})`.execute(db);
    return new Map(rows.rows.map((r) => [decodeId(r.id), r]));
  }

  function toEntry(state: Row, member: Row | undefined, columns: readonly string[]): SyncEntry {
    const attributes: Record<string, unknown> = {};
    for (const c of columns) attributes[c] = member?.[`a_${c}`];
    const dirty = truthy(state.dirty);
    const nextDue = decodeTime(state.next_due_at);
    const marked = decodeTime(state.marked_at);
    return {
      memberId: decodeId(state.member_id),
      discordUserId: (member?.discord_user_id as string | null | undefined) ?? null,
      deleted: member === undefined,
      attributes,
      profile: {
        displayName: (member?.discord_username as string | null | undefined) ?? null,
        avatarHash: (member?.discord_avatar_hash as string | null | undefined) ?? null,
      },
      attempts: decodeInteger(state.attempts ?? 0),
      state: asState(state.state),
      dirty,
      dueAt: (dirty ? (marked ?? nextDue) : nextDue) ?? clock.now(),
      version: decodeInteger(state.version ?? 0),
    };
  }

  const queue: SyncQueue = {
    async claimDue(opts, io) {
      io?.signal?.throwIfAborted();
      const columns = await checkColumns(opts.columns);
      const leaseExpiresAt = new Date(opts.now.getTime() + opts.leaseMs);
      const claimed = await claimStatement(dialect, {
        owner: opts.owner,
        leaseExpiresAt: t(leaseExpiresAt),
        dueBy: t(opts.dueBy ?? opts.now),
        now: t(opts.now),
        limit: opts.limit,
      }).execute(db);
      if (claimed.rows.length === 0) return [];
      const members = await membersById(
        claimed.rows.map((r) => r.member_id),
        columns,
      );
      const items = claimed.rows.map(
        (row): SyncItem => ({
          ...toEntry(row, members.get(decodeId(row.member_id)), columns),
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
    },

    async complete(item, outcome, io) {
      io?.signal?.throwIfAborted();
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
    },

    async completeMany(results, io) {
      io?.signal?.throwIfAborted();
      let recorded = 0;
      const rows = [];
      for (const { item, outcome } of results) {
        if (outcome.forget) {
          if (await queue.complete(item, outcome, io)) recorded += 1;
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
      idType ??= memberIdType(db, dialect);
      const type = await idType;
      for (let start = 0; start < rows.length; start += 500) {
        const done = await completeManyStatement(dialect, rows.slice(start, start + 500), type).execute(db);
        recorded += done.rows.length;
      }
      return recorded;
    },

    async release(item, io) {
      io?.signal?.throwIfAborted();
      const result = await db
        .updateTable("role_sync_state")
        .set({ lease_owner: null, lease_expires_at: null })
        .where("member_id", "=", item.memberId)
        .where("lease_owner", "=", item.leaseOwner)
        .where("lease_expires_at", "=", t(item.leaseExpiresAt))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async markDue(opts, io) {
      io?.signal?.throwIfAborted();
      const ids = opts.memberIds ?? [];
      const states = opts.states ?? [];
      if (ids.length === 0 && states.length === 0) return 0;
      const result = await db
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
    },

    async scheduleFullPass(opts, io) {
      io?.signal?.throwIfAborted();
      const now = t(opts.now);
      const inserted =
        await sql`insert into role_sync_state (member_id, next_due_at, dirty, version, attempts)
        select m.id, ${now}, ${bool(false)}, 0, 0 from members m
        where m.discord_user_id is not null
          and not exists (select 1 from role_sync_state s where s.member_id = m.id)`.execute(db);
      // A member in backoff keeps its retry time (the interval never cuts a backoff short).
      const updated = await sql`update role_sync_state set next_due_at = ${now}
        where (checked_at is null or checked_at < ${t(opts.checkedBefore)})
          and (next_due_at is null or (next_due_at > ${now} and (state is null or state <> 'retrying')))
          and member_id in (select id from members where discord_user_id is not null)`.execute(db);
      return Number(inserted.numAffectedRows ?? 0n) + Number(updated.numAffectedRows ?? 0n);
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
      await db
        .insertInto("role_sync_settings")
        .values({ name: APPLIED, fingerprint: opts.fingerprint, applied_at: t(opts.now) })
        .onConflict((oc) =>
          oc.column("name").doUpdateSet({ fingerprint: opts.fingerprint, applied_at: t(opts.now) }),
        )
        .execute();
    },

    async scan(opts, io) {
      io?.signal?.throwIfAborted();
      const columns = await checkColumns(opts.columns);
      let query = db.selectFrom("role_sync_state").selectAll().orderBy("member_id").limit(opts.limit);
      if (opts.after !== null) query = query.where("member_id", ">", opts.after);
      const rows = (await query.execute()) as Row[];
      const members = await membersById(
        rows.map((r) => r.member_id),
        columns,
      );
      return rows.map((r) => toEntry(r, members.get(decodeId(r.member_id)), columns));
    },
  };

  const ledger: GrantLedger = {
    async list(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.memberIds.length === 0) return [];
      const rows = await db
        .selectFrom("role_grants")
        .select(["member_id", "discord_user_id", "role_id"])
        .where("member_id", "in", [...opts.memberIds])
        .execute();
      return rows.map((r) => ({
        memberId: r.member_id,
        discordUserId: r.discord_user_id,
        roleId: r.role_id,
      }));
    },
    async add(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.grants.length === 0) return;
      const at = t(clock.now());
      await db
        .insertInto("role_grants")
        .values(
          opts.grants.map((g: Grant) => ({
            member_id: g.memberId,
            discord_user_id: g.discordUserId,
            role_id: g.roleId,
            granted_at: at,
          })),
        )
        .onConflict((oc) => oc.columns(["member_id", "discord_user_id", "role_id"]).doNothing())
        .execute();
    },
    async remove(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.grants.length === 0) return;
      await db
        .deleteFrom("role_grants")
        .where((eb) =>
          eb.or(
            opts.grants.map((g) =>
              eb.and([
                eb("member_id", "=", g.memberId),
                eb("discord_user_id", "=", g.discordUserId),
                eb("role_id", "=", g.roleId),
              ]),
            ),
          ),
        )
        .execute();
    },
  };

  const linkedMembers: LinkedMembers = {
    async findByDiscordIds(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.discordUserIds.length === 0) return [];
      const columns = await checkColumns(opts.columns);
      const extra = columns.map((c) => sql`${sql.ref(c)} as ${sql.ref(`a_${c}`)}`);
      const rows = await sql<Row>`select id, discord_user_id
        ${extra.length > 0 ? sql`, ${sql.join(extra)}` : sql``}
        from members where discord_user_id in (${sql.join([...opts.discordUserIds])})`.execute(db);
      return rows.rows.map((r): LinkedMember => {
        const attributes: Record<string, unknown> = {};
        for (const c of columns) attributes[c] = r[`a_${c}`];
        return { memberId: decodeId(r.id), discordUserId: String(r.discord_user_id), attributes };
      });
    },
  };

  const profiles: MemberProfiles = {
    async save(update, io) {
      io?.signal?.throwIfAborted();
      const avatar = update.avatar
        ? sql`, discord_avatar = ${update.avatar.bytes ? Buffer.from(update.avatar.bytes) : null},
            discord_avatar_hash = ${update.avatar.hash}`
        : sql``;
      await sql`update members set discord_username = ${update.displayName} ${avatar}
        where id = ${update.memberId}`.execute(db);
    },
  };

  return {
    queue,
    ledger,
    linkedMembers,
    profiles,
    async watchColumns(opts, io) {
      io?.signal?.throwIfAborted();
      const columns = await checkColumns(opts.columns);
      const key = watchedColumns(columns).join(",");
      if (key === watched) return;
      await installTriggers(db, dialect, columns);
      watched = key;
    },
    async countByState(io) {
      io?.signal?.throwIfAborted();
      const rows = await db
        .selectFrom("role_sync_state")
        .select((eb) => ["state", eb.fn.countAll().as("n")])
        .where("state", "is not", null)
        .groupBy("state")
        .execute();
      const counts: Partial<Record<SyncState, number>> = {};
      for (const row of rows) {
        const state = asState(row.state);
        if (state) counts[state] = decodeInteger(row.n);
      }
      return counts;
    },
  };
}
