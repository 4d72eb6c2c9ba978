import { columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * `016-task-status`: `task_status`, one row per worker task (`role-sync`, …) holding the summary of
 * its latest round, which worker ran it and when. The console reads it ("Last round: …", "is the
 * worker running?"); a worker overwrites the row on each round. Idempotent on both dialects.
 */
export const taskStatus = defineMigration({
  name: "016-task-status",
  feature: "foundation",
  tables: ["task_status"],
  async up(db, { dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable("task_status")
      .ifNotExists()
      .addColumn("task", "text", (c) => c.primaryKey())
      .addColumn("worker", "text", (c) => c.notNull())
      .addColumn("summary", t.json, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();
  },
});
