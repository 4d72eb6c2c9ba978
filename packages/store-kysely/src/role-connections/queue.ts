import { type Kysely, sql } from "kysely";
import { decodeInteger, decodeTime, encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import type { Database } from "../schema";
import { claimStatement } from "./dialect";
import {
  type DesiredConnection,
  type MetadataValues,
  metadataFingerprint,
  ROLE_CONNECTION_STATES,
  type RoleConnectionEntry,
  type RoleConnectionItem,
  type RoleConnectionQueue,
  type RoleConnectionState,
} from "./ports";

const CHUNK = 200;

function parse(text: unknown): MetadataValues | null {
  if (typeof text !== "string") return null;
  return JSON.parse(text) as MetadataValues;
}

function asState(value: unknown): RoleConnectionState | null {
  return ROLE_CONNECTION_STATES.includes(value as RoleConnectionState)
    ? (value as RoleConnectionState)
    : null;
}

function toEntry(row: Record<string, unknown>): RoleConnectionEntry {
  return {
    memberId: String(row.member_id),
    discordUserId: row.discord_user_id == null ? null : String(row.discord_user_id),
    desired: parse(row.desired),
    pushed: parse(row.pushed),
    state: asState(row.state),
    attempts: decodeInteger(row.attempts),
    lastError: (row.last_error as string | null) ?? null,
    nextDueAt: decodeTime(row.next_due_at),
    pushedAt: decodeTime(row.pushed_at),
    version: decodeInteger(row.version),
  };
}

/**
 * The `RoleConnectionQueue` of `@guildkit/role-reconciler` on `role_connection_state` (migration
 * `015-role-connections`): desired values recorded in batches (one upsert per 200 changed members),
 * claims with leases (the claim statement is the dialect's, `dialect.ts`), lease-checked completions.
 */
export function createRoleConnectionQueue(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
): RoleConnectionQueue {
  const t = (d: Date) => encodeTime(dialect, d);
  const leaseHeld = (item: RoleConnectionItem) =>
    db
      .updateTable("role_connection_state")
      .where("member_id", "=", item.memberId)
      .where("lease_owner", "=", item.leaseOwner)
      .where("lease_expires_at", "=", t(item.leaseExpiresAt));

  async function changedEntries(entries: readonly DesiredConnection[]) {
    const ids = entries.map((e) => e.memberId);
    const rows = await db
      .selectFrom("role_connection_state")
      .select(["member_id", "discord_user_id", "desired"])
      .where("member_id", "in", ids)
      .execute();
    const stored = new Map(rows.map((r) => [r.member_id, r]));
    return entries.filter((entry) => {
      const row = stored.get(entry.memberId);
      const desired = metadataFingerprint(entry.desired);
      if (!row) return desired !== null;
      return row.desired !== desired || row.discord_user_id !== entry.discordUserId;
    });
  }

  async function upsert(entries: readonly DesiredConnection[], now: Date) {
    const at = t(now);
    await db
      .insertInto("role_connection_state")
      .values(
        entries.map((e) => ({
          member_id: e.memberId,
          discord_user_id: e.discordUserId,
          desired: metadataFingerprint(e.desired),
          version: 1,
          attempts: 0,
          next_due_at: at,
          updated_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.column("member_id").doUpdateSet({
          discord_user_id: sql.ref("excluded.discord_user_id"),
          desired: sql.ref("excluded.desired"),
          version: sql`role_connection_state.version + 1`,
          // a member in backoff keeps its retry time
          next_due_at: sql`case when role_connection_state.state = 'retrying'
            and role_connection_state.next_due_at > excluded.next_due_at
            then role_connection_state.next_due_at else excluded.next_due_at end`,
          updated_at: sql.ref("excluded.updated_at"),
        }),
      )
      .execute();
  }

  return {
    async setDesired({ entries, now }, io) {
      io?.signal?.throwIfAborted();
      let changed = 0;
      for (let i = 0; i < entries.length; i += CHUNK) {
        const todo = await changedEntries(entries.slice(i, i + CHUNK));
        if (todo.length > 0) await upsert(todo, now);
        changed += todo.length;
      }
      return changed;
    },
    async claimDue({ owner, leaseMs, limit, now }, io) {
      io?.signal?.throwIfAborted();
      const leaseExpiresAt = new Date(now.getTime() + leaseMs);
      const claimed = await claimStatement(dialect, {
        owner,
        leaseExpiresAt: t(leaseExpiresAt),
        now: t(now),
        limit,
      }).execute(db);
      return claimed.rows
        .map(
          (row): RoleConnectionItem => ({
            ...toEntry(row),
            leaseOwner: owner,
            leaseExpiresAt: decodeTime(row.lease_expires_at) ?? leaseExpiresAt,
          }),
        )
        .sort(
          (a, b) =>
            (a.nextDueAt?.getTime() ?? 0) - (b.nextDueAt?.getTime() ?? 0) ||
            (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0),
        );
    },
    async complete(item, outcome, io) {
      io?.signal?.throwIfAborted();
      const pushed =
        outcome.pushed === undefined
          ? {}
          : {
              pushed: metadataFingerprint(outcome.pushed),
              pushed_at: t(outcome.pushedAt ?? clock.now()),
            };
      const next = outcome.nextDueAt === null ? null : t(outcome.nextDueAt);
      const result = await leaseHeld(item)
        .set({
          state: outcome.state,
          attempts: outcome.attempts,
          last_error: outcome.lastError,
          ...pushed,
          // a change recorded during the lease already made the row due: keep that
          next_due_at: sql`case when version = ${item.version} then ${next} else next_due_at end`,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: t(clock.now()),
        })
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async release(item, io) {
      io?.signal?.throwIfAborted();
      const result = await leaseHeld(item)
        .set({ lease_owner: null, lease_expires_at: null })
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async markDue({ now, memberIds = [], states = [] }, io) {
      io?.signal?.throwIfAborted();
      if (memberIds.length === 0 && states.length === 0) return 0;
      const result = await db
        .updateTable("role_connection_state")
        .set({ next_due_at: t(now) })
        .where((eb) =>
          eb.or([
            ...(memberIds.length > 0 ? [eb("member_id", "in", [...memberIds])] : []),
            ...(states.length > 0 ? [eb("state", "in", [...states])] : []),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async get({ memberId }, io) {
      io?.signal?.throwIfAborted();
      const row = await db
        .selectFrom("role_connection_state")
        .selectAll()
        .where("member_id", "=", memberId)
        .executeTakeFirst();
      return row ? toEntry(row as unknown as Record<string, unknown>) : null;
    },
    async countDue({ now }, io) {
      io?.signal?.throwIfAborted();
      const row = await db
        .selectFrom("role_connection_state")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("next_due_at", "is not", null)
        .where("next_due_at", "<=", t(now))
        .executeTakeFirstOrThrow();
      return decodeInteger(row.n);
    },
    async countByState(io) {
      io?.signal?.throwIfAborted();
      const rows = await db
        .selectFrom("role_connection_state")
        .select((eb) => ["state", eb.fn.countAll().as("n")])
        .where("state", "is not", null)
        .groupBy("state")
        .execute();
      const counts: Partial<Record<RoleConnectionState, number>> = {};
      for (const row of rows) {
        const state = asState(row.state);
        if (state) counts[state] = decodeInteger(row.n);
      }
      return counts;
    },
  };
}
