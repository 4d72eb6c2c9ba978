import { sql } from "kysely";
import { decodeId, decodeInteger, decodeTime } from "../codec";
import type { RoleSyncContext } from "./context";
import type { SyncEntry, SyncState } from "./ports";

/** A raw row of any query. */
export type Row = Record<string, unknown>;

const STATES: readonly SyncState[] = [
  "ok",
  "not_in_guild",
  "retrying",
  "permanent_error",
  "unlinked",
  "grace",
];

/** A stored state, or `null` for none (or one this version does not know). */
export function asState(value: unknown): SyncState | null {
  return typeof value === "string" && (STATES as readonly string[]).includes(value)
    ? (value as SyncState)
    : null;
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "t";
}

/** Members by id with the columns an entry needs (rule columns aliased `a_<column>`). */
export async function membersById(
  ctx: RoleSyncContext,
  ids: readonly unknown[],
  columns: readonly string[],
): Promise<Map<string, Row>> {
  if (ids.length === 0) return new Map();
  const m = ctx.members;
  const extra = columns.map((c) => sql`${sql.ref(c)} as ${sql.ref(`a_${c}`)}`);
  const rows = await sql<Row>`select ${sql.ref(m.id)} as id, ${sql.ref(m.discordUserId)} as discord_user_id,
      ${sql.ref(m.discordUsername)} as discord_username, ${sql.ref(m.discordAvatarHash)} as discord_avatar_hash
    ${extra.length > 0 ? sql`, ${sql.join(extra)}` : sql``}
    from ${ctx.table} where ${sql.ref(m.id)} in (${sql.join(ids)})`.execute(ctx.db);
  return new Map(rows.rows.map((r) => [decodeId(r.id), r]));
}

/** A sync row and its member (absent when deleted) as the port's {@link SyncEntry}. */
export function toEntry(
  ctx: RoleSyncContext,
  state: Row,
  member: Row | undefined,
  columns: readonly string[],
): SyncEntry {
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
    dueAt: (dirty ? (marked ?? nextDue) : nextDue) ?? ctx.clock.now(),
    version: decodeInteger(state.version ?? 0),
  };
}
