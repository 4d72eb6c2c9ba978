import { normalizeColumns, resolveColumn, type TableColumn } from "./columns";
import { assertWatchableTable, isSafeIdentifier, quoteIdentifier } from "./identifiers";
import type { Operation } from "./operation";
import { NOTIFY_CHANNEL } from "./outbox-schema";
import { templateColumns } from "./template";
import { assertWebhookId, type Dialect, sqliteRowJson, type TriggerDdl } from "./trigger-ddl";
import { operandsOf, type WhenExpr } from "./when/ast";
import { compileWhenPostgres } from "./when/compile-postgres";
import { compileWhenSqlite } from "./when/compile-sqlite";

/**
 * One trigger per watched table and operation: it records a data change **once**, whatever the
 * number of webhooks on that table, as one row of {@link EVENT_TABLE} holding the ids of the
 * webhooks whose WHEN condition holds (decided in the trigger, by the database, on the compiled
 * conditions) and a row image of only the columns those webhooks read. The stores create the
 * per-webhook delivery rows (`webhook_outbox`) from it off the write path, at claim time.
 */

/** The table the table triggers write to: one row per data change. */
export const EVENT_TABLE = "webhook_event";

/** The columns of {@link EVENT_TABLE}. */
export const EVENT_COLUMNS = {
  id: "id",
  /** The matching webhooks: a JSON array of ids on SQLite (text), `bigint[]` on Postgres. */
  webhookIds: "webhook_ids",
  operation: "op",
  oldRow: "old_row",
  newRow: "new_row",
  createdAt: "created_at",
} as const;

/** Every table trigger (and, on Postgres, its function) is named with this prefix. */
export const TABLE_TRIGGER_PREFIX = "guildkit_webhooks_";

/** A webhook as its table's trigger sees it. */
export interface TableTriggerWebhook {
  /** The webhook's id (a positive integer, as text). */
  webhookId: string;
  /** The checked WHEN tree, or `null` (every change of the operation matches). */
  when: WhenExpr | null;
  /** The template, for the columns its placeholders read. */
  template: string;
  /** The columns whose values become mentions. */
  mentionUserColumns?: readonly string[];
}

/** What a table trigger is generated from. */
export interface TableTriggerSpec {
  table: string;
  operation: Operation;
  /** The enabled webhooks on `table` for `operation`; at least one. */
  webhooks: readonly TableTriggerWebhook[];
  /** The table's columns (with types: Postgres compiles text comparisons with them). */
  columns: readonly TableColumn[];
}

const MARKER = /\/\* guildkit webhooks: ([0-9,]*) \*\//;
/** jsonb_build_object / json_object take 2 arguments per column; both cap arguments near 100. */
const JSON_CHUNK = 40;

/**
 * The name of the trigger on `table` for `operation` (also its Postgres function's):
 * `guildkit_webhooks_<op>_<table>`, shortened with a hash past 63 characters (Postgres' limit).
 */
export function tableTriggerName(table: string, operation: Operation): string {
  const name = `${TABLE_TRIGGER_PREFIX}${operation.toLowerCase()}_${table}`;
  if (name.length <= 63) return name;
  let hash = 0x811c9dc5;
  for (let i = 0; i < table.length; i++) hash = Math.imul(hash ^ table.charCodeAt(i), 0x01000193) >>> 0;
  return `${name.slice(0, 54)}_${hash.toString(16).padStart(8, "0")}`;
}

/** The webhook ids a table trigger's SQL (or its Postgres function's source) serves, or `null`. */
export function webhookIdsOfTableTrigger(source: string): string[] | null {
  const match = MARKER.exec(source);
  return match ? (match[1] ?? "").split(",").filter((id) => id !== "") : null;
}

/**
 * The columns a table trigger copies into its row images: those the webhooks' templates, WHEN
 * conditions and mention lists read, spelled as the table spells them, in table order (names
 * that are not plain identifiers are left out: no placeholder can name them).
 */
export function storedColumns(
  columns: readonly TableColumn[],
  webhooks: readonly TableTriggerWebhook[],
): string[] {
  const info = normalizeColumns(columns);
  const wanted = new Set<string>();
  const want = (name: string) => {
    const found = resolveColumn(info, name);
    if (found) wanted.add(found.name);
  };
  for (const w of webhooks) {
    for (const name of templateColumns(w.template)) want(name);
    for (const name of w.mentionUserColumns ?? []) want(name);
    if (w.when) for (const o of operandsOf(w.when)) if (o.kind === "column") want(o.name);
  }
  return info.map((c) => c.name).filter((name) => wanted.has(name) && isSafeIdentifier(name));
}

/** Generates the trigger of `spec.table` for `spec.operation` in `dialect`. */
export function buildTableTriggerDdl(spec: TableTriggerSpec, dialect: Dialect): TriggerDdl {
  return dialect === "sqlite" ? sqliteTableTriggerDdl(spec) : postgresTableTriggerDdl(spec);
}

/** The statements that drop the trigger of `table` for `operation` (and its Postgres function). */
export function dropTableTriggerDdl(table: string, operation: Operation, dialect: Dialect): string[] {
  const name = quoteIdentifier(tableTriggerName(table, operation), "trigger");
  return dialect === "sqlite"
    ? [`DROP TRIGGER IF EXISTS ${name}`]
    : [
        `DROP TRIGGER IF EXISTS ${name} ON ${quoteIdentifier(table, "table")}`,
        `DROP FUNCTION IF EXISTS ${name}()`,
      ];
}

function checked(spec: TableTriggerSpec) {
  if (spec.webhooks.length === 0)
    throw new TypeError(`no webhook watches ${spec.table} for ${spec.operation}`);
  const ids = spec.webhooks.map((w) => assertWebhookId(w.webhookId));
  return {
    name: tableTriggerName(assertWatchableTable(spec.table), spec.operation),
    table: quoteIdentifier(spec.table, "table"),
    op: operationSql(spec.operation),
    stored: storedColumns(spec.columns, spec.webhooks),
    marker: `/* guildkit webhooks: ${ids.join(",")} */`,
    unconditional: spec.webhooks.some((w) => w.when === null),
  };
}

/**
 * SQLite: `CREATE TRIGGER "guildkit_webhooks_<op>_<table>" AFTER <op> ON "<table>" FOR EACH ROW
 * [WHEN (c1) OR (c2) …] BEGIN INSERT INTO webhook_event (webhook_ids, op, old_row, new_row,
 * created_at) VALUES ('[1,2]', …); END`. The WHEN is left out when a webhook has no condition; the
 * id list is a constant when none has one. Row images as `sqliteRowJson` builds them, of the
 * stored columns only.
 */
export function sqliteTableTriggerDdl(spec: TableTriggerSpec): TriggerDdl {
  const { name, table, op, stored, marker, unconditional } = checked(spec);
  const conds = spec.webhooks.map((w) => (w.when ? `(${compileWhenSqlite(w.when)})` : null));
  const when = unconditional ? "" : `\nWHEN ${conds.join(" OR ")}`;
  const ids = conds.every((c) => c === null)
    ? `'[${spec.webhooks.map((w) => w.webhookId).join(",")}]'`
    : `'[' || rtrim(${spec.webhooks
        .map((w, i) =>
          conds[i] ? `CASE WHEN ${conds[i]} THEN '${w.webhookId},' ELSE '' END` : `'${w.webhookId},'`,
        )
        .join(" || ")}, ',') || ']'`;
  const image = (row: "NEW" | "OLD") => sqliteRowJson(row, stored);
  const oldRow = spec.operation === "INSERT" ? "NULL" : image("OLD");
  const newRow = spec.operation === "DELETE" ? "NULL" : image("NEW");
  const c = EVENT_COLUMNS;
  const create = [
    `DROP TRIGGER IF EXISTS "${name}"`,
    `CREATE TRIGGER "${name}" AFTER ${op} ON ${table} FOR EACH ROW${when}
BEGIN
  ${marker}
  INSERT INTO "${EVENT_TABLE}" ("${c.webhookIds}", "${c.operation}", "${c.oldRow}", "${c.newRow}", "${c.createdAt}")
  VALUES (${ids}, '${op}', ${oldRow}, ${newRow}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END`,
  ];
  return { name, table: spec.table, create, drop: [`DROP TRIGGER IF EXISTS "${name}"`] };
}

/**
 * Postgres: a function `guildkit_webhooks_<op>_<table>()` generated for the table (the matching
 * ids from the compiled conditions, `jsonb_build_object` of the stored columns, a NOTIFY on
 * {@link NOTIFY_CHANNEL}) and `CREATE TRIGGER … FOR EACH ROW WHEN (…) EXECUTE FUNCTION` it. Every
 * condition also appears in the trigger's WHEN (ORed with `TRUE` when a webhook has none), so the
 * database type-checks each one when the trigger is created, not at the host's first write.
 */
export function postgresTableTriggerDdl(spec: TableTriggerSpec): TriggerDdl {
  const { name, table, op, stored, marker, unconditional } = checked(spec);
  const conds = spec.webhooks.map((w) =>
    w.when ? `(${compileWhenPostgres(w.when, { columns: spec.columns })})` : null,
  );
  const present = conds.filter((c): c is string => c !== null);
  const when =
    present.length === 0 ? "" : `\nWHEN (${[...(unconditional ? ["TRUE"] : []), ...present].join(" OR ")})`;
  const ids =
    present.length === 0
      ? `'{${spec.webhooks.map((w) => w.webhookId).join(",")}}'::bigint[]`
      : `array_remove(ARRAY[${spec.webhooks
          .map((w, i) => (conds[i] ? `CASE WHEN ${conds[i]} THEN ${w.webhookId} END` : w.webhookId))
          .join(", ")}]::bigint[], NULL)`;
  const image = (row: "NEW" | "OLD") => postgresImage(row, stored);
  const oldRow = spec.operation === "INSERT" ? "NULL" : image("OLD");
  const newRow = spec.operation === "DELETE" ? "NULL" : image("NEW");
  const c = EVENT_COLUMNS;
  const drop = `DROP TRIGGER IF EXISTS "${name}" ON ${table}`;
  const create = [
    drop,
    `CREATE OR REPLACE FUNCTION "${name}"() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $guildkit$
${marker}
BEGIN
  INSERT INTO "${EVENT_TABLE}" ("${c.webhookIds}", "${c.operation}", "${c.oldRow}", "${c.newRow}")
  VALUES (${ids}, '${op}', ${oldRow}, ${newRow});
  PERFORM pg_notify('${NOTIFY_CHANNEL}', '');
  RETURN NULL;
END
$guildkit$`,
    `CREATE TRIGGER "${name}" AFTER ${op} ON ${table} FOR EACH ROW${when}
EXECUTE FUNCTION "${name}"()`,
  ];
  return { name, table: spec.table, create, drop: [drop, `DROP FUNCTION IF EXISTS "${name}"()`] };
}

function postgresImage(row: string, columns: readonly string[]): string {
  if (columns.length === 0) return "'{}'::jsonb";
  const chunks: string[] = [];
  for (let i = 0; i < columns.length; i += JSON_CHUNK) {
    const pairs = columns.slice(i, i + JSON_CHUNK).map((col) => `'${col}', ${row}."${col}"`);
    chunks.push(`jsonb_build_object(${pairs.join(", ")})`);
  }
  return chunks.join(" || ");
}

function operationSql(op: Operation): Operation {
  if (op !== "INSERT" && op !== "UPDATE" && op !== "DELETE") {
    throw new TypeError(`operation ${JSON.stringify(op)} is not INSERT, UPDATE or DELETE`);
  }
  return op;
}
