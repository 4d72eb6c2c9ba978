import {
  buildTriggerDdl,
  checkWhen,
  dropTriggerDdl,
  type Operation,
  parseWhen,
  type TableColumn,
  TRIGGER_PREFIX,
} from "@guildkit/webhook-templates";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect";

/**
 * The database catalog as the webhook feature reads it — tables, columns, triggers — and the trigger
 * installation itself. The one place where the webhook SQL differs per dialect, besides the claim.
 */

// biome-ignore lint/suspicious/noExplicitAny: used by migrations (untyped) and the store alike
type AnyDb = Kysely<any>;

/** A table's name as the database spells it (exact match first, else ignoring case), or `null`. */
export async function findTable(db: AnyDb, dialect: Dialect, name: string): Promise<string | null> {
  const rows =
    dialect === "postgres"
      ? (
          await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE' and lower(table_name) = lower(${name})`.execute(
            db,
          )
        ).rows
      : (
          await sql<{ name: string }>`select name from sqlite_master
            where type = 'table' and lower(name) = lower(${name})`.execute(db)
        ).rows;
  return rows.find((r) => r.name === name)?.name ?? (rows.length === 1 ? (rows[0]?.name ?? null) : null);
}

/** The base tables of the current schema, sorted. */
export async function listTables(db: AnyDb, dialect: Dialect): Promise<string[]> {
  const rows =
    dialect === "postgres"
      ? (
          await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
            db,
          )
        ).rows
      : (
          await sql<{ name: string }>`select name from sqlite_master
            where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
        ).rows;
  return rows.map((r) => r.name);
}

/** A table's columns with their declared types, or `null` when it does not exist. */
export async function tableColumns(
  db: AnyDb,
  dialect: Dialect,
  table: string,
): Promise<TableColumn[] | null> {
  const rows =
    dialect === "postgres"
      ? (
          await sql<{ name: string; type: string }>`select column_name as name, data_type as type
            from information_schema.columns where table_schema = current_schema() and table_name = ${table}
            order by ordinal_position`.execute(db)
        ).rows
      : (
          await sql<{
            name: string;
            type: string;
          }>`select name, type from pragma_table_info(${table})`.execute(db)
        ).rows;
  return rows.length === 0 ? null : rows.map((r) => ({ name: r.name, type: r.type }));
}

/** A trigger found in the catalog. */
export interface CatalogTrigger {
  name: string;
  table: string;
}

/** Triggers whose names start with `prefix` (guildkit's by default). */
export async function listTriggers(
  db: AnyDb,
  dialect: Dialect,
  prefix = TRIGGER_PREFIX,
): Promise<CatalogTrigger[]> {
  const pattern = `${prefix.replaceAll("_", "\\_")}%`;
  const rows =
    dialect === "postgres"
      ? (
          await sql<CatalogTrigger>`select t.tgname as name, c.relname as "table" from pg_trigger t
            join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
            where not t.tgisinternal and n.nspname = current_schema() and t.tgname like ${pattern} escape '\\'`.execute(
            db,
          )
        ).rows
      : (
          await sql<CatalogTrigger>`select name, tbl_name as "table" from sqlite_master
            where type = 'trigger' and name like ${pattern} escape '\\'`.execute(db)
        ).rows;
  return rows;
}

/** Drops a trigger by name (idempotent). The name must come from the catalog or the core. */
export async function dropTriggerNamed(db: AnyDb, dialect: Dialect, trigger: CatalogTrigger): Promise<void> {
  const name = `"${trigger.name.replaceAll('"', '""')}"`;
  const table = `"${trigger.table.replaceAll('"', '""')}"`;
  await sql
    .raw(
      dialect === "postgres"
        ? `drop trigger if exists ${name} on ${table}`
        : `drop trigger if exists ${name}`,
    )
    .execute(db);
}

/** What a trigger is installed from. */
export interface TriggerTarget {
  id: string;
  table: string;
  operation: Operation;
  when: string | null;
}

/**
 * Installs (or replaces) a webhook's trigger: reads the table's columns, checks the WHEN condition
 * against them, and runs the DDL the core generates. Throws the core's errors when the definition
 * no longer fits the table. Run it inside the transaction that writes the definition row.
 */
export async function installTrigger(db: AnyDb, dialect: Dialect, target: TriggerTarget): Promise<void> {
  const columns = await tableColumns(db, dialect, target.table);
  if (columns === null) throw new Error(`table ${target.table} does not exist`);
  const when = target.when
    ? checkWhen(parseWhen(target.when), { columns, operation: target.operation })
    : null;
  const ddl = buildTriggerDdl(
    { webhookId: target.id, table: target.table, operation: target.operation, when, columns },
    dialect,
  );
  for (const statement of ddl.create) await sql.raw(statement).execute(db);
}

/** Drops a webhook's trigger (idempotent). */
export async function removeTrigger(db: AnyDb, dialect: Dialect, id: string, table: string): Promise<void> {
  if (dialect === "postgres" && (await findTable(db, dialect, table)) === null) return;
  for (const statement of dropTriggerDdl(id, table, dialect)) await sql.raw(statement).execute(db);
}
