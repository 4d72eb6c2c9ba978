import { normalizeColumns, type TableColumn } from "./columns";
import { IdentifierError } from "./errors";
import { assertIdentifier, assertWatchableTable, isSafeIdentifier, quoteIdentifier } from "./identifiers";
import type { Operation } from "./operation";
import {
  NOTIFY_CHANNEL,
  OUTBOX_COLUMNS,
  OUTBOX_TABLE,
  POSTGRES_ENQUEUE_FUNCTION,
  TRIGGER_PREFIX,
} from "./outbox-schema";
import type { WhenExpr } from "./when/ast";
import { compileWhenPostgres } from "./when/compile-postgres";
import { compileWhenSqlite } from "./when/compile-sqlite";

/** The SQL dialects guildkit generates triggers for. */
export type Dialect = "sqlite" | "postgres";

/** What a trigger is generated from. */
export interface TriggerSpec {
  /** The webhook's id (a positive integer, as text). */
  webhookId: string;
  table: string;
  operation: Operation;
  /** The checked WHEN tree ({@link analyzeWhen} / {@link checkWhen}), or `null`. */
  when: WhenExpr | null;
  /**
   * The table's columns. SQLite's trigger copies each of them into the row JSON (columns whose names
   * are not plain identifiers are left out — no placeholder can name them); Postgres uses them to
   * compile text comparisons.
   */
  columns: readonly TableColumn[];
}

/** The statements that install a webhook's trigger, and those that remove it. */
export interface TriggerDdl {
  /** The trigger's name: `guildkit_webhook_<id>`. */
  name: string;
  table: string;
  /** Run in order, in the same transaction as the definition row. Drops any previous version first. */
  create: string[];
  /** Removes the trigger (idempotent). */
  drop: string[];
}

const WEBHOOK_ID = /^[1-9][0-9]{0,18}$/;
/** json_object takes 2 arguments per column; stay well under SQLite's 127-argument limit. */
const JSON_CHUNK = 50;

/** Checks a webhook id (a positive integer below 2^63, as text) and returns it. */
export function assertWebhookId(webhookId: string): string {
  if (!WEBHOOK_ID.test(webhookId) || BigInt(webhookId) > 9223372036854775807n) {
    throw new IdentifierError(`webhook id ${JSON.stringify(webhookId)} is not a positive integer`, {
      identifier: webhookId,
      reason: "invalid_characters",
    });
  }
  return webhookId;
}

/** The deterministic trigger name of a webhook: `guildkit_webhook_<id>`. */
export function triggerName(webhookId: string): string {
  return `${TRIGGER_PREFIX}${assertWebhookId(webhookId)}`;
}

/** The webhook id a guildkit trigger name belongs to, or `null` for any other name. */
export function webhookIdOfTrigger(name: string): string | null {
  if (!name.startsWith(TRIGGER_PREFIX)) return null;
  const id = name.slice(TRIGGER_PREFIX.length);
  return WEBHOOK_ID.test(id) ? id : null;
}

/** Generates a webhook's trigger for `dialect`. See {@link sqliteTriggerDdl} and {@link postgresTriggerDdl}. */
export function buildTriggerDdl(spec: TriggerSpec, dialect: Dialect): TriggerDdl {
  return dialect === "sqlite" ? sqliteTriggerDdl(spec) : postgresTriggerDdl(spec);
}

/** The statements that drop a webhook's trigger in `dialect` (Postgres needs the table it is on). */
export function dropTriggerDdl(webhookId: string, table: string, dialect: Dialect): string[] {
  const name = quoteIdentifier(triggerName(webhookId));
  return dialect === "sqlite"
    ? [`DROP TRIGGER IF EXISTS ${name}`]
    : [`DROP TRIGGER IF EXISTS ${name} ON ${quoteIdentifier(table, "table")}`];
}

/**
 * SQLite: `CREATE TRIGGER "guildkit_webhook_<id>" AFTER <op> ON "<table>" FOR EACH ROW [WHEN (…)]
 * BEGIN INSERT INTO webhook_outbox (webhook_id, op, old_row, new_row, created_at) VALUES (…,
 * json_object(…), <now>); END`. Row images are JSON objects of every column; BLOB values become
 * `\x<hex>` text (as Postgres writes bytea), so that a BLOB never makes `json_object` fail the
 * application's own write. `created_at` is the time of the data change, as ISO-8601 UTC text with
 * milliseconds (the stores' time format on SQLite; Postgres stamps it with the column's `now()`
 * default).
 */
export function sqliteTriggerDdl(spec: TriggerSpec): TriggerDdl {
  const name = triggerName(spec.webhookId);
  const table = quoteIdentifier(assertWatchableTable(spec.table), "table");
  const columns = normalizeColumns(spec.columns)
    .map((c) => c.name)
    .filter(isSafeIdentifier);
  const image = (row: "NEW" | "OLD") => rowJson(row, columns);
  const oldRow = spec.operation === "INSERT" ? "NULL" : image("OLD");
  const newRow = spec.operation === "DELETE" ? "NULL" : image("NEW");
  const when = spec.when ? `\nWHEN ${compileWhenSqlite(spec.when)}` : "";
  const c = OUTBOX_COLUMNS;
  const create = [
    `DROP TRIGGER IF EXISTS "${name}"`,
    `CREATE TRIGGER "${name}" AFTER ${operationSql(spec.operation)} ON ${table} FOR EACH ROW${when}
BEGIN
  INSERT INTO "${OUTBOX_TABLE}" ("${c.webhookId}", "${c.operation}", "${c.oldRow}", "${c.newRow}", "${c.createdAt}")
  VALUES (${spec.webhookId}, '${spec.operation}', ${oldRow}, ${newRow}, ${SQLITE_NOW});
END`,
  ];
  return { name, table: spec.table, create, drop: [`DROP TRIGGER IF EXISTS "${name}"`] };
}

/** The current time as SQLite writes it into the outbox: ISO-8601 UTC with milliseconds. */
const SQLITE_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * The SQLite expression that builds a row's JSON image exactly as the triggers store it (every
 * column whose name is a plain identifier; BLOBs as `\x<hex>` text), reading the columns of `row`:
 * `NEW`, `OLD`, or a table alias (`select <expr> from "t" as r` with `row` = `r`). Read the result
 * with {@link parseRowJson} to keep integers beyond 2^53 exact.
 */
export function sqliteRowJson(row: string, columns: readonly TableColumn[]): string {
  return rowJson(
    assertIdentifier(row, "row reference"),
    normalizeColumns(columns)
      .map((c) => c.name)
      .filter(isSafeIdentifier),
  );
}

function rowJson(row: string, columns: readonly string[]): string {
  const pair = (col: string) =>
    `'${col}', CASE WHEN typeof(${row}."${col}") = 'blob' THEN '\\x' || lower(hex(${row}."${col}")) ELSE ${row}."${col}" END`;
  if (columns.length === 0) return "json_object()";
  let sql = `json_object(${columns.slice(0, JSON_CHUNK).map(pair).join(", ")})`;
  for (let i = JSON_CHUNK; i < columns.length; i += JSON_CHUNK) {
    const chunk = columns.slice(i, i + JSON_CHUNK);
    sql = `json_insert(${sql}, ${chunk.map((col) => pair(col).replace(`'${col}', `, `'$."${col}"', `)).join(", ")})`;
  }
  return sql;
}

/**
 * Postgres: `CREATE TRIGGER "guildkit_webhook_<id>" AFTER <op> ON "<table>" FOR EACH ROW [WHEN (…)]
 * EXECUTE FUNCTION guildkit_webhook_enqueue('<id>')`. The shared function
 * ({@link postgresEnqueueFunctionDdl}) writes `to_jsonb(OLD/NEW)` to the outbox and signals
 * {@link NOTIFY_CHANNEL}.
 */
export function postgresTriggerDdl(spec: TriggerSpec): TriggerDdl {
  const name = triggerName(spec.webhookId);
  const table = quoteIdentifier(assertWatchableTable(spec.table), "table");
  const when = spec.when ? `\nWHEN (${compileWhenPostgres(spec.when, { columns: spec.columns })})` : "";
  const drop = `DROP TRIGGER IF EXISTS "${name}" ON ${table}`;
  const create = [
    drop,
    `CREATE TRIGGER "${name}" AFTER ${operationSql(spec.operation)} ON ${table} FOR EACH ROW${when}
EXECUTE FUNCTION "${POSTGRES_ENQUEUE_FUNCTION}"('${spec.webhookId}')`,
  ];
  return { name, table: spec.table, create, drop: [drop] };
}

/**
 * The Postgres function every webhook trigger calls (created by the stores' migration). It runs
 * with the search_path it was created under, so the application's own search_path cannot send its
 * insert elsewhere.
 */
export function postgresEnqueueFunctionDdl(): string {
  const c = OUTBOX_COLUMNS;
  return `CREATE OR REPLACE FUNCTION "${POSTGRES_ENQUEUE_FUNCTION}"() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $guildkit$
BEGIN
  INSERT INTO "${OUTBOX_TABLE}" ("${c.webhookId}", "${c.operation}", "${c.oldRow}", "${c.newRow}")
  VALUES (
    TG_ARGV[0]::bigint,
    TG_OP,
    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END
  );
  PERFORM pg_notify('${NOTIFY_CHANNEL}', TG_ARGV[0]);
  RETURN NULL;
END
$guildkit$`;
}

function operationSql(op: Operation): string {
  if (op !== "INSERT" && op !== "UPDATE" && op !== "DELETE") {
    throw new IdentifierError(`operation ${JSON.stringify(op)} is not INSERT, UPDATE or DELETE`, {
      identifier: String(op),
      reason: "invalid_characters",
    });
  }
  return op;
}
