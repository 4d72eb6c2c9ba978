import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Dialect } from "../dialect";
import type { MembersTable } from "../members-table/shape";

/**
 * Everything role sync does differently on SQLite and Postgres, in one place: the member-change
 * triggers and the claim statement.
 */

/** `next_due_at` of a member marked by a change: the epoch, so it sorts before every scheduled re-check. */
export const DUE_AT_ONCE = new Date(0);

/** Member columns every trigger watches besides the rule columns: the Discord id and the entitlement column. */
function alwaysWatched(shape: MembersTable): string[] {
  return [shape.discordUserId, ...(shape.paymentStatus ? [shape.paymentStatus] : [])];
}

/** A lower-case SQL identifier (rule columns are validated before they reach here). */
export function assertIdentifier(column: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(column)) throw new TypeError(`"${column}" is not a valid column name`);
  return column;
}

/** The member columns whose change marks a member due, sorted. */
export function watchedColumns(shape: MembersTable, ruleColumns: readonly string[]): string[] {
  return [...new Set([...alwaysWatched(shape), ...ruleColumns.map(assertIdentifier)])].sort();
}

/**
 * DDL of the triggers that mark a member due on any change that can alter its roles: an insert of a
 * linked member; an update where a watched column IS DISTINCT FROM before (NULL ↔ value included),
 * or (on the seed system's `members`) `discord_last_synced` set to NULL (its "sync me" signal); a
 * delete (the sync row survives the member so its roles can be revoked). On the table and columns of
 * `shape` (the default `members`, or the host's).
 */
export function triggerStatements(
  dialect: Dialect,
  shape: MembersTable,
  ruleColumns: readonly string[],
): string[] {
  const columns = watchedColumns(shape, ruleColumns);
  const { table, id, discordUserId: link } = shape;
  const legacy = (isNull: (c: string) => string) =>
    shape.reference ? ` or (${isNull("old.discord_last_synced")} and new.discord_last_synced is null)` : "";
  if (dialect === "postgres") {
    const changed =
      columns.map((c) => `old.${c} is distinct from new.${c}`).join(" or ") +
      legacy((c) => `${c} is not null`);
    return [
      `create or replace function role_sync_mark_due() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    update role_sync_state set next_due_at = 'epoch', dirty = true, version = version + 1,
      marked_at = clock_timestamp() where member_id = old.${id};
    return old;
  end if;
  if tg_op = 'INSERT' then
    if new.${link} is null then return new; end if;
  elsif new.${link} is null and old.${link} is null then
    return new;
  elsif not (${changed}) then
    return new;
  end if;
  insert into role_sync_state (member_id, next_due_at, dirty, version, marked_at, attempts)
    values (new.${id}, 'epoch', true, 1, clock_timestamp(), 0)
    on conflict (member_id) do update set next_due_at = 'epoch', dirty = true,
      version = role_sync_state.version + 1, marked_at = clock_timestamp();
  perform pg_notify('guildkit_role_sync', '');
  return new;
end $$`,
      `drop trigger if exists role_sync_members_changed on ${table}`,
      `create trigger role_sync_members_changed after insert or update or delete on ${table}
        for each row execute function role_sync_mark_due()`,
    ];
  }
  const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  const upsert = (
    id: string,
  ) => `insert or ignore into role_sync_state (member_id, next_due_at, dirty, version, marked_at, attempts)
      values (${id}, '${DUE_AT_ONCE.toISOString()}', 1, 0, ${now}, 0);
    update role_sync_state set next_due_at = '${DUE_AT_ONCE.toISOString()}', dirty = 1, version = version + 1,
      marked_at = ${now} where member_id = ${id};`;
  const changed =
    columns.map((c) => `old.${c} is not new.${c}`).join(" or ") + legacy((c) => `${c} is not null`);
  return [
    "drop trigger if exists role_sync_members_insert",
    "drop trigger if exists role_sync_members_update",
    "drop trigger if exists role_sync_members_delete",
    `create trigger role_sync_members_insert after insert on ${table} when new.${link} is not null
    begin ${upsert(`new.${id}`)} end`,
    `create trigger role_sync_members_update after update on ${table}
    when (new.${link} is not null or old.${link} is not null) and (${changed})
    begin ${upsert(`new.${id}`)} end`,
    `create trigger role_sync_members_delete after delete on ${table}
    begin update role_sync_state set next_due_at = '${DUE_AT_ONCE.toISOString()}', dirty = 1,
      version = version + 1, marked_at = ${now} where member_id = old.${id}; end`,
  ];
}

/** (Re)installs the triggers for these rule columns. */
export async function installTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: DDL runs on any schema version
  db: Kysely<any>,
  dialect: Dialect,
  shape: MembersTable,
  ruleColumns: readonly string[],
): Promise<void> {
  for (const statement of triggerStatements(dialect, shape, ruleColumns))
    await sql.raw(statement).execute(db);
}

/**
 * Which rows are due: due at `now`, or due by `dueBy` (a bulk pass's look-ahead) unless in backoff —
 * a `retrying` member waits for its retry time, and a member in `grace` for the end of its grace
 * period (claimed early it would only be due again at once). The range on `next_due_at` keeps the
 * index usable.
 */
export function dueCondition(p: { now: unknown; dueBy: unknown }): RawBuilder<SqlBool> {
  return sql<SqlBool>`next_due_at <= ${p.dueBy}
    and (next_due_at <= ${p.now} or state is null or state not in ('retrying', 'grace'))`;
}

/**
 * The claim: one statement that leases up to `limit` due members (see {@link dueCondition}) whose
 * lease is free or expired, oldest due first (changed members carry the epoch, so they come first).
 * Postgres skips rows another claimer has locked (`FOR UPDATE SKIP LOCKED`); SQLite runs it as one
 * write.
 */
export function claimStatement(
  dialect: Dialect,
  p: { owner: string; leaseExpiresAt: unknown; dueBy: unknown; now: unknown; limit: number },
): RawBuilder<Record<string, unknown>> {
  if (dialect === "postgres") {
    return sql<Record<string, unknown>>`update role_sync_state s
      set lease_owner = ${p.owner}, lease_expires_at = ${p.leaseExpiresAt}
      from (select member_id from role_sync_state
        where ${dueCondition(p)} and (lease_owner is null or lease_expires_at <= ${p.now})
        order by next_due_at, member_id limit ${p.limit} for update skip locked) pick
      where s.member_id = pick.member_id
      returning s.*`;
  }
  return sql<Record<string, unknown>>`update role_sync_state
    set lease_owner = ${p.owner}, lease_expires_at = ${p.leaseExpiresAt}
    where member_id in (select member_id from role_sync_state
      where ${dueCondition(p)} and (lease_owner is null or lease_expires_at <= ${p.now})
      order by next_due_at, member_id limit ${p.limit})
    returning *`;
}

/** The SQL type of the members' id column, so `role_sync_state.member_id` compares without casts. */
export async function memberIdType(
  // biome-ignore lint/suspicious/noExplicitAny: DDL runs on any schema version
  db: Kysely<any>,
  dialect: Dialect,
  shape: MembersTable,
): Promise<string> {
  if (dialect === "postgres") {
    const r = await sql<{ t: string }>`select data_type as t from information_schema.columns
      where table_schema = current_schema() and table_name = ${shape.table} and column_name = ${shape.id}`.execute(
      db,
    );
    const t = r.rows[0]?.t ?? "bigint";
    return ["bigint", "integer", "smallint", "text", "uuid"].includes(t) ? t : "text";
  }
  const r = await sql<{
    type: string;
  }>`select type from pragma_table_info(${shape.table}) where name = ${shape.id}`.execute(db);
  return /int/i.test(r.rows[0]?.type ?? "integer") ? "integer" : "text";
}

/** One outcome row of {@link completeManyStatement}, values already encoded for the dialect. */
export interface OutcomeRow {
  memberId: string;
  leaseOwner: string;
  leaseExpiresAt: unknown;
  version: number;
  state: string;
  attempts: number;
  lastError: string | null;
  checkedAt: unknown;
  nextDueAt: unknown;
}

/**
 * Records many outcomes in one statement (`UPDATE … FROM (VALUES …)`), each only while its lease
 * is held; a member whose version moved stays due. Returns the member ids recorded.
 */
export function completeManyStatement(
  dialect: Dialect,
  rows: readonly OutcomeRow[],
  idType: string,
): RawBuilder<{ member_id: unknown }> {
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.memberId}, ${r.leaseOwner}, ${r.leaseExpiresAt}, ${r.version}, ${r.state}, ${r.attempts}, ${r.lastError}, ${r.checkedAt}, ${r.nextDueAt})`,
    ),
  );
  const columns = sql.raw(
    "member_id, lease_owner, lease_expires_at, version, state, attempts, last_error, checked_at, next_due_at",
  );
  if (dialect === "postgres") {
    const id = sql.raw(/^[a-z ]+$/.test(idType) ? idType : "text");
    return sql<{ member_id: unknown }>`update role_sync_state s set
        state = v.state, attempts = v.attempts::int, last_error = v.last_error,
        checked_at = v.checked_at::timestamptz, lease_owner = null, lease_expires_at = null,
        next_due_at = case when s.version = v.version::bigint then v.next_due_at::timestamptz else s.next_due_at end,
        dirty = case when s.version = v.version::bigint then false else s.dirty end
      from (values ${values}) as v(${columns})
      where s.member_id = v.member_id::${id} and s.lease_owner = v.lease_owner
        and s.lease_expires_at = v.lease_expires_at::timestamptz
      returning s.member_id`;
  }
  return sql<{ member_id: unknown }>`with v(${columns}) as (values ${values})
    update role_sync_state set
      state = v.state, attempts = v.attempts, last_error = v.last_error, checked_at = v.checked_at,
      lease_owner = null, lease_expires_at = null,
      next_due_at = case when role_sync_state.version = v.version then v.next_due_at else role_sync_state.next_due_at end,
      dirty = case when role_sync_state.version = v.version then 0 else role_sync_state.dirty end
    from v
    where role_sync_state.member_id = v.member_id and role_sync_state.lease_owner = v.lease_owner
      and role_sync_state.lease_expires_at = v.lease_expires_at
    returning role_sync_state.member_id`;
}
