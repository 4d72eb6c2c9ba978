import {
  assertWatchableTable,
  buildTableTriggerDdl,
  checkWhen,
  dropTableTriggerDdl,
  dropTriggerDdl,
  EVENT_TABLE,
  OPERATIONS,
  type Operation,
  parseEmbedTemplate,
  parseWhen,
  renderedTemplates,
  TABLE_TRIGGER_PREFIX,
  type TableColumn,
  type TableTriggerWebhook,
  webhookIdsOfTableTrigger,
} from "@guildkit/webhook-templates";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect";
import { type CatalogTrigger, triggerPattern, webhookDialect } from "./dialect";

/**
 * The triggers of migration `011-webhook-events` on: one per watched table and operation, generated
 * from every enabled definition on it and regenerated, in the transaction that changes a definition,
 * whenever one of them changes. The per-webhook triggers before them (`catalog.ts`'s
 * `installTrigger`) wrote one outbox row per webhook; these write one `webhook_event` row per change.
 */

// biome-ignore lint/suspicious/noExplicitAny: used by migrations (untyped) and the store alike
type AnyDb = Kysely<any>;

/** A definition as its table's trigger needs it. */
export interface TriggerMember {
  id: string;
  template: string;
  when: string | null;
  mentionUserColumns: readonly string[];
}

/** Options of {@link syncTableTrigger}. */
export interface SyncTableTriggerOptions {
  /** No webhook may watch these (guildkit's own tables). */
  reservedTables?: Iterable<string>;
  /** Served whatever its row says (a definition being written). */
  include?: TriggerMember;
  /** Left out whatever its row says (a definition being disabled or removed). */
  exclude?: string;
  /** Serve `include` alone (a probe). */
  only?: boolean;
}

/** Whether `webhook_event` exists: the table triggers are in place (migration 011 ran). */
export async function hasEventTable(db: AnyDb, dialect: Dialect): Promise<boolean> {
  return (await webhookDialect(dialect).tablesNamedLike(db, EVENT_TABLE)).includes(EVENT_TABLE);
}

/** The enabled definitions on `table` for `operation`, by id. */
export async function enabledMembers(db: AnyDb, dialect: Dialect, table: string, operation: Operation) {
  // `select *`: before migration 014 (migration 011 calls this) there is no `embed_template` yet.
  const { rows } = await sql<{
    id: unknown;
    message_template: string | null;
    when_clause: string | null;
    mention_user_columns: string | null;
    embed_template?: string | null;
  }>`select * from discord_webhooks
    where enabled = ${webhookDialect(dialect).bool(true)} and trigger_table = ${table}
      and upper(trigger_op) = ${operation} order by id`.execute(db);
  return rows.map(
    (r): TriggerMember => ({
      id: String(r.id),
      template: renderedTemplates(r.message_template ?? "", parseEmbedTemplate(r.embed_template)),
      when: r.when_clause || null,
      mentionUserColumns: mentionsOf(r.mention_user_columns),
    }),
  );
}

function mentionsOf(text: string | null): string[] {
  try {
    const parsed = JSON.parse(text ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Checks each member's WHEN against the table's columns (the core's errors when one no longer fits). */
export function triggerWebhooks(
  members: readonly TriggerMember[],
  columns: readonly TableColumn[],
  operation: Operation,
): TableTriggerWebhook[] {
  return members.map((m) => ({
    webhookId: m.id,
    template: m.template,
    mentionUserColumns: m.mentionUserColumns,
    when: m.when ? checkWhen(parseWhen(m.when), { columns, operation }) : null,
  }));
}

/**
 * Installs, replaces or drops the trigger of `table` for `operation` so that it serves exactly the
 * enabled definitions on it (with `include`, without `exclude`), and drops the per-webhook triggers
 * of an earlier version for those definitions. Returns the ids it serves. Throws the core's errors
 * when a definition no longer fits the table, and the database's when it refuses the DDL. Run it
 * inside the transaction that writes the definition rows.
 */
export async function syncTableTrigger(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  operation: Operation,
  options: SyncTableTriggerOptions = {},
): Promise<string[]> {
  await webhookDialect(dialect).lockTableTriggers(db, table);
  let members = options.only ? [] : await enabledMembers(db, dialect, table, operation);
  if (options.exclude) members = members.filter((m) => m.id !== options.exclude);
  const include = options.include;
  if (include) members = [...members.filter((m) => m.id !== include.id), include];
  members.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const run = async (statements: readonly string[]) => {
    for (const statement of statements) await sql.raw(statement).execute(db);
  };
  const { tableColumns } = webhookDialect(dialect);
  const columns = await tableColumns(db, table);
  if (members.length === 0) {
    if (columns.length > 0 || !webhookDialect(dialect).dropNeedsTable) {
      await run(dropTableTriggerDdl(table, operation, dialect));
    }
    return [];
  }
  assertWatchableTable(table, { reservedTables: options.reservedTables });
  if (columns.length === 0) throw new Error(`table ${table} does not exist`);
  const webhooks = triggerWebhooks(members, columns, operation);
  for (const m of members) await run(dropTriggerDdl(m.id, table, dialect));
  await run(buildTableTriggerDdl({ table, operation, webhooks, columns }, dialect).create);
  return members.map((m) => m.id);
}

/** Regenerates the triggers of every operation on `table` (see {@link syncTableTrigger}). */
export async function syncTableTriggers(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  options: SyncTableTriggerOptions = {},
): Promise<void> {
  for (const operation of OPERATIONS) await syncTableTrigger(db, dialect, table, operation, options);
}

/** A table trigger found in the catalog, with the webhook ids its marker names. */
export interface CatalogTableTrigger extends CatalogTrigger {
  webhookIds: string[];
}

/** The table triggers of the current schema, with the ids each serves. */
export async function listTableTriggers(db: AnyDb, dialect: Dialect): Promise<CatalogTableTrigger[]> {
  const rows = await webhookDialect(dialect).tableTriggerSources(db, triggerPattern(TABLE_TRIGGER_PREFIX));
  return rows.map((r) => ({
    name: r.name,
    table: r.table,
    webhookIds: webhookIdsOfTableTrigger(r.source) ?? [],
  }));
}
