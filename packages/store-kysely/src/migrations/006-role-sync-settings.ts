import { columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * Role sync remembers the settings it last applied: `role_sync_settings` holds the fingerprint of
 * the guild and entitlement rules the members' check times were computed under (row `applied`), so
 * a change saved while no worker ran makes the next worker re-check every member. Idempotent; the
 * seed system had nothing like it, so nothing is imported (the first worker records its settings).
 */
export const roleSyncSettings = defineMigration({
  name: "006-role-sync-settings",
  feature: "role-sync",
  tables: ["role_sync_settings"],
  async up(db, { dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable("role_sync_settings")
      .ifNotExists()
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("applied_at", t.timestamp, (c) => c.notNull())
      .execute();
  },
});
