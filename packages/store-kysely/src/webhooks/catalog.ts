import {
  assertWatchableTable,
  buildTriggerDdl,
  checkWhen,
  dropTriggerDdl,
  type Operation,
  parseWhen,
  TABLE_TRIGGER_PREFIX,
  type TableColumn,
  TRIGGER_PREFIX,
} from "@guildkit/webhook-templates";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect";
import { type CatalogTrigger, triggerPattern, webhookDialect } from "./dialect";
import { hasEventTable, syncTableTriggers } from "./table-triggers";

export type { CatalogTrigger } from "./dialect";

/**
 * The database catalog as the webhook feature reads it — tables, columns, triggers — and the trigger
 * installation itself. The SQL that differs per dialect lives in `dialect.ts`.
 */

// biome-ignore lint/suspicious/noExplicitAny: used by migrations (untyped) and the store alike
type AnyDb = Kysely<any>;

/** A table's name as the database spells it (exact match first, else ignoring case), or `null`. */
export async function findTable(db: AnyDb, dialect: Dialect, name: string): Promise<string | null> {
  const names = await webhookDialect(dialect).tablesNamedLike(db, name);
  return names.find((n) => n === name) ?? (names.length === 1 ? (names[0] ?? null) : null);
}

/** The base tables of the current schema, sorted. */
export function listTables(db: AnyDb, dialect: Dialect): Promise<string[]> {
  return webhookDialect(dialect).listTables(db);
}

/** A table's columns with their declared types, or `null` when it does not exist. */
export async function tableColumns(
  db: AnyDb,
  dialect: Dialect,
  table: string,
): Promise<TableColumn[] | null> {
  const columns = await webhookDialect(dialect).tableColumns(db, table);
  return columns.length === 0 ? null : columns;
}

/**
 * A table's primary key columns in key order (empty when it has none): Postgres reads `pg_index`,
 * SQLite `pragma_table_info`.
 */
export function primaryKeyColumns(db: AnyDb, dialect: Dialect, table: string): Promise<string[]> {
  return webhookDialect(dialect).primaryKeyColumns(db, table);
}

/**
 * Triggers whose names start with `prefix` — by default guildkit's webhook triggers of both
 * generations: `guildkit_webhook_<id>` (one per webhook, before migration 011) and
 * `guildkit_webhooks_<op>_<table>` (one per table and operation).
 */
export function listTriggers(
  db: AnyDb,
  dialect: Dialect,
  prefix = TRIGGER_PREFIX.slice(0, -1),
): Promise<CatalogTrigger[]> {
  return webhookDialect(dialect).listTriggers(db, triggerPattern(prefix));
}

/** Drops a trigger by name (idempotent). The name must come from the catalog or the core. */
export async function dropTriggerNamed(db: AnyDb, dialect: Dialect, trigger: CatalogTrigger): Promise<void> {
  const name = `"${trigger.name.replaceAll('"', '""')}"`;
  const table = `"${trigger.table.replaceAll('"', '""')}"`;
  await sql.raw(webhookDialect(dialect).dropTriggerStatement(name, table)).execute(db);
  // A table trigger's Postgres function is named after it and serves nothing else.
  if (dialect === "postgres" && trigger.name.startsWith(TABLE_TRIGGER_PREFIX)) {
    await sql.raw(`drop function if exists ${name}()`).execute(db);
  }
}

/** What a trigger is installed from. */
export interface TriggerTarget {
  id: string;
  table: string;
  operation: Operation;
  when: string | null;
}

/**
 * Installs (or replaces) a webhook's own trigger, as migrations 004 and 007 did before the table
 * triggers of migration 011 (`table-triggers.ts`) took over — it writes `webhook_outbox` directly,
 * which the outbox still reads. Refuses a table of `reservedTables` (guildkit's own)
 * before anything else, reads the table's columns, checks the WHEN condition against them, and runs
 * the DDL the core generates. Throws the core's errors when the definition no longer fits the table.
 * Run it inside the transaction that writes the definition row.
 */
export async function installTrigger(
  db: AnyDb,
  dialect: Dialect,
  target: TriggerTarget,
  options: { reservedTables?: Iterable<string> } = {},
): Promise<void> {
  assertWatchableTable(target.table, { reservedTables: options.reservedTables });
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

/**
 * Runs `fn` inside a savepoint named `name` of the transaction `db` is in (on SQLite, also the one
 * connection a migration holds). When `fn` throws, everything it did is rolled back — and a Postgres
 * transaction, which refuses every statement after an error, stays usable — then the error is
 * rethrown.
 */
export async function inSavepoint<T>(db: AnyDb, name: string, fn: () => Promise<T>): Promise<T> {
  await sql`savepoint ${sql.id(name)}`.execute(db);
  try {
    const value = await fn();
    await sql`release savepoint ${sql.id(name)}`.execute(db);
    return value;
  } catch (err) {
    try {
      await sql`rollback to savepoint ${sql.id(name)}`.execute(db);
      await sql`release savepoint ${sql.id(name)}`.execute(db);
    } catch {
      // The transaction itself is gone (connection lost): the original error says why.
    }
    throw err;
  }
}

/**
 * Whether an error thrown while running trigger DDL is the database refusing that DDL — Postgres
 * SQLSTATE class 22 (data exception: `'abc'` is no uuid) or 42 (no such operator, type mismatch),
 * SQLite `SQLITE_ERROR` — rather than the database being unreachable or the transaction failing.
 */
export function isDdlRefusal(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" && (/^(22|42)[0-9A-Z]{3}$/.test(code) || code === "SQLITE_ERROR");
}

/**
 * Stops a webhook's trigger (idempotent): drops its own trigger of before migration 011 and, once
 * the table triggers exist, regenerates those of its table without it.
 */
export async function removeTrigger(db: AnyDb, dialect: Dialect, id: string, table: string): Promise<void> {
  if (webhookDialect(dialect).dropNeedsTable && (await findTable(db, dialect, table)) === null) return;
  for (const statement of dropTriggerDdl(id, table, dialect)) await sql.raw(statement).execute(db);
  if (await hasEventTable(db, dialect)) await syncTableTriggers(db, dialect, table, { exclude: id });
}
