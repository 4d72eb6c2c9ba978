import { type IoOptions, parseRowJson, type RowData, type TableColumn } from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { findTable, listTables, primaryKeyColumns, tableColumns } from "./catalog";
import type { WebhookStoreContext } from "./context";

/**
 * The catalog reads the admin needs to write a definition (a table's columns, the watchable
 * tables) and to preview one (the newest row). No table guildkit owns is ever read.
 */
export function createWebhookTableReads(ctx: WebhookStoreContext) {
  const { db, dialect, guard } = ctx;
  return {
    /**
     * The columns of a table (`null` when it does not exist), with its name as the database spells
     * it. Throws `WebhookDefinitionError` (`table_reserved` at `table`) for a table of guildkit's.
     */
    async tableColumns(
      table: string,
      io: IoOptions = {},
    ): Promise<{ table: string; columns: TableColumn[] } | null> {
      io.signal?.throwIfAborted();
      guard.assertWatchable(table);
      const name = await findTable(db, dialect, table);
      if (name === null) return null;
      const columns = await tableColumns(db, dialect, name);
      return columns ? { table: name, columns } : null;
    },

    /** The tables a webhook may watch (guildkit's own left out). */
    async tables(io: IoOptions = {}): Promise<string[]> {
      io.signal?.throwIfAborted();
      return guard.watchable(await listTables(db, dialect));
    },

    /**
     * The newest row of a table — the highest primary key (SQLite's `rowid`, Postgres's `ctid`, when
     * the table has none) — as the triggers would store it (BLOBs as `\x…` hex, integers beyond
     * 2^53 exact as `bigint`), or `null`. A table of guildkit's is never read: `WebhookDefinitionError`
     * (`table_reserved` at `table`).
     */
    async newestRow(table: string, io: IoOptions = {}): Promise<RowData | null> {
      io.signal?.throwIfAborted();
      guard.assertWatchable(table);
      const name = await findTable(db, dialect, table);
      if (name === null) return null;
      const key = await primaryKeyColumns(db, dialect, name);
      const order =
        key.length > 0 ? key.map((column) => sql`${sql.id("r", column)} desc`) : [ctx.sql.physicalOrder()];
      const image = ctx.sql.rowImage((await tableColumns(db, dialect, name)) ?? []);
      const r = await sql<{ row: string }>`select ${image} as row from ${sql.id(name)} as r
        order by ${sql.join(order)} limit 1`.execute(db);
      return r.rows[0] ? parseRowJson(r.rows[0].row) : null;
    },
  };
}
