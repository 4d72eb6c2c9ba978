import { columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * `017-admin-sessions`: the admin console's server-side sessions (`store.adminSessions`, the
 * `SessionStore` port of `@guildkit/oauth-state`), so a session survives a server restart and every
 * server behind a load balancer knows it. The columns of `sessions` (`009-sessions`) with `member_id`
 * a plain text label (`admin`): no member row behind it. Only the SHA-256 of the session id is stored.
 * Index on `expires_at` (the purge). Idempotent on both dialects.
 */
export const adminSessions = defineMigration({
  name: "017-admin-sessions",
  feature: "foundation",
  tables: ["admin_sessions"],
  async up(db, { dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable("admin_sessions")
      .ifNotExists()
      .addColumn("id_hash", "text", (c) => c.primaryKey())
      .addColumn("member_id", "text", (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("admin_sessions_expires_at_idx")
      .ifNotExists()
      .on("admin_sessions")
      .column("expires_at")
      .execute();
  },
});
