import { type ColumnDataType, sql } from "kysely";
import { memberIdType } from "../role-sync/dialect";
import { columnNames, columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * `009-sessions`: server-side sessions of `@guildkit/oauth-state`'s `createSessions`. A row holds only
 * the SHA-256 of the session id (the cookie's value is never stored), the member, and when the session
 * was created, last used and expires. `member_id` references the members table's id (`members(id)`,
 * or the host's table and id column named in the store's `members` option) `on delete cascade`, so
 * deleting a member revokes its sessions; on SQLite a trigger does the same for a database opened
 * without `foreign_keys=ON` (the stores open theirs with it). Indexes on `member_id` (revoke all of a
 * member's) and `expires_at` (the purge). Idempotent; on a seed-system database `member_id` takes the
 * type of `members.id`. A `sessions` table of the host's (without these columns) stops the migration
 * with a message naming what is missing, and is left as it is.
 */
const SESSION_COLUMNS = ["id_hash", "member_id", "created_at", "last_seen_at", "expires_at"];

export const sessions = defineMigration({
  name: "009-sessions",
  feature: "login",
  tables: ["sessions"],
  async up(db, { dialect, members }) {
    const t = columnTypes(dialect);
    const existing = await columnNames(db, dialect, "sessions");
    const missing = SESSION_COLUMNS.filter((column) => !existing.includes(column));
    if (existing.length > 0 && missing.length > 0) {
      // A host table of the same name: never adopt it, never alter it.
      throw new Error(
        `a table named "sessions" already exists without guildkit's columns (${missing.join(", ")}); rename it, then migrate again`,
      );
    }
    const idType = (await memberIdType(db, dialect, members)) as ColumnDataType;
    await db.schema
      .createTable("sessions")
      .ifNotExists()
      .addColumn("id_hash", "text", (c) => c.primaryKey())
      .addColumn("member_id", idType, (c) =>
        c.notNull().references(`${members.table}.${members.id}`).onDelete("cascade"),
      )
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("sessions_member_id_idx")
      .ifNotExists()
      .on("sessions")
      .column("member_id")
      .execute();
    await db.schema
      .createIndex("sessions_expires_at_idx")
      .ifNotExists()
      .on("sessions")
      .column("expires_at")
      .execute();
    if (dialect === "sqlite") {
      await sql`create trigger if not exists guildkit_sessions_member_deleted after delete on ${sql.table(members.table)}
        begin delete from sessions where member_id = old.${sql.ref(members.id)}; end`.execute(db);
    }
  },
});
