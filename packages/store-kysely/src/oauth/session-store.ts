import type { SessionStore, StoredSession } from "@guildkit/oauth-state";
import type { Kysely } from "kysely";
import { decodeId, decodeTime, encodeTime } from "../codec";
import type { Dialect } from "../dialect";
import { toStoreError } from "../errors";
import type { Database, SessionsTable } from "../schema";

/** The tables with the session shape: members' (`009-sessions`) and the admin console's (`017-admin-sessions`). */
export type SessionTable = "sessions" | "admin_sessions";

/**
 * `SessionStore` of `@guildkit/oauth-state` on `sessions` (migration `009-sessions`): one row per
 * session, keyed by the hash of its id; revoking deletes the row; reads and touches see only rows whose
 * `expires_at` is after `now`. Deleting a member deletes its sessions (`on delete cascade`). The same SQL
 * on both dialects. With `table: "admin_sessions"` the same port serves the admin console's sessions
 * (`017-admin-sessions`: the same columns, `member_id` a plain text label, no member behind it).
 */
export function createOAuthSessionStore(
  database: Kysely<Database>,
  dialect: Dialect,
  table: SessionTable = "sessions",
): SessionStore {
  // Both tables have the same columns: one typed view, the table name chosen at run time.
  const db = database as unknown as Kysely<{ sessions: SessionsTable }>;
  const sessions = table as "sessions";
  const t = (date: Date) => encodeTime(dialect, date);
  /** Postgres refuses a non-numeric id for an integer column (22P02): no such member. */
  const isBadId = (error: unknown) =>
    dialect === "postgres" && (error as { code?: unknown } | null)?.code === "22P02";

  return {
    async create({ idHash, memberId, createdAt, expiresAt }, opts = {}) {
      opts.signal?.throwIfAborted();
      try {
        await db
          .insertInto(sessions)
          .values({
            id_hash: idHash,
            member_id: memberId,
            created_at: t(createdAt),
            last_seen_at: t(createdAt),
            expires_at: t(expiresAt),
          })
          .execute();
      } catch (error) {
        throw toStoreError(error, dialect);
      }
    },

    async read({ idHash, now }, opts = {}): Promise<StoredSession | null> {
      opts.signal?.throwIfAborted();
      const row = await db
        .selectFrom(sessions)
        .select(["member_id", "created_at", "last_seen_at", "expires_at"])
        .where("id_hash", "=", idHash)
        .where("expires_at", ">", t(now))
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        memberId: decodeId(row.member_id),
        createdAt: decodeTime(row.created_at) as Date,
        lastSeenAt: decodeTime(row.last_seen_at) as Date,
        expiresAt: decodeTime(row.expires_at) as Date,
      };
    },

    async touch({ idHash, now, expiresAt }, opts = {}) {
      opts.signal?.throwIfAborted();
      const result = await db
        .updateTable(sessions)
        .set({ last_seen_at: t(now), expires_at: t(expiresAt) })
        .where("id_hash", "=", idHash)
        .where("expires_at", ">", t(now))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async revoke({ idHash }, opts = {}) {
      opts.signal?.throwIfAborted();
      const result = await db.deleteFrom(sessions).where("id_hash", "=", idHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async revokeMember({ memberId, exceptIdHash }, opts = {}) {
      opts.signal?.throwIfAborted();
      try {
        let query = db.deleteFrom(sessions).where("member_id", "=", memberId);
        if (exceptIdHash) query = query.where("id_hash", "<>", exceptIdHash);
        const result = await query.executeTakeFirst();
        return Number(result.numDeletedRows);
      } catch (error) {
        if (isBadId(error)) return 0;
        throw error;
      }
    },

    async purgeExpired({ now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const result = await db.deleteFrom(sessions).where("expires_at", "<=", t(now)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
