import { columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * Linked Roles: `role_connection_state`, one row per member whose role connection guildkit pushes —
 * the desired and last pushed metadata (canonical JSON text), state, attempts, due time, the last
 * push time (per-user pacing), a version bumped by every change, and the lease. Idempotent; the
 * seed system had no Linked Roles, so nothing is imported.
 */
export const roleConnections = defineMigration({
  name: "015-role-connections",
  feature: "role-sync",
  tables: ["role_connection_state"],
  async up(db, { dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable("role_connection_state")
      .ifNotExists()
      .addColumn("member_id", "text", (c) => c.primaryKey())
      .addColumn("discord_user_id", "text")
      .addColumn("desired", "text")
      .addColumn("pushed", "text")
      .addColumn("state", "text")
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .addColumn("next_due_at", t.timestamp)
      .addColumn("pushed_at", t.timestamp)
      .addColumn("version", t.bigint, (c) => c.notNull().defaultTo(0))
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", t.timestamp)
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("role_connection_state_due_idx")
      .ifNotExists()
      .on("role_connection_state")
      .columns(["next_due_at", "member_id"])
      .execute();
  },
});
