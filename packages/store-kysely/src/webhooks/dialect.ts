import {
  NOTIFY_CHANNEL,
  postgresEnqueueFunctionDdl,
  sqliteRowJson,
  type TableColumn,
  TRIGGER_PREFIX,
} from "@guildkit/webhook-templates";
import { type CreateTableBuilder, type Kysely, type RawBuilder, sql } from "kysely";
import type { Dialect } from "../dialect";

/**
 * Everything the webhook feature does differently on SQLite and Postgres, in one place: the
 * catalog queries, the claim's lock, how row images and booleans are read and written, the newest
 * row of the preview, and the DDL of migration `004-webhooks`. The rest of `webhooks/` is
 * dialect-neutral and calls {@link webhookDialect}.
 */

// biome-ignore lint/suspicious/noExplicitAny: used by migrations (untyped) and the store alike
type AnyDb = Kysely<any>;

/**
 * The most recorded changes one fan-out moves (the oldest first), so that a claim's transaction
 * stays short after a burst; the rest go with the next claims.
 */
const FAN_OUT_BATCH = 5000;

/** A column as the catalog queries return it. */
interface NamedColumn {
  name: string;
  type: string;
}

/** A trigger found in the catalog. */
export interface CatalogTrigger {
  name: string;
  table: string;
}

/** The webhook feature's SQL on one dialect. */
export interface WebhookDialect {
  /** A boolean as the column stores it (`boolean` / `integer` 0-1). */
  bool(value: boolean): boolean | number;
  /** `o.<column>` (`old_row` / `new_row`) as JSON text. */
  rowText(column: "old_row" | "new_row"): RawBuilder<string | null>;
  /**
   * Runs a claim: on Postgres in a transaction whose advisory lock makes claimers take turns (see
   * the README: SKIP LOCKED cannot keep per-webhook order; the lock lasts that short transaction,
   * not the delivery); on SQLite (one writer anyway) on `db` as it is.
   */
  runClaim<T>(db: AnyDb, fn: (trx: AnyDb) => Promise<T>): Promise<T>;
  /** Base tables of the current schema whose name matches `name` ignoring case. */
  tablesNamedLike(db: AnyDb, name: string): Promise<string[]>;
  /** The base tables of the current schema, sorted. */
  listTables(db: AnyDb): Promise<string[]>;
  /** A table's columns in order with their declared types (empty when it does not exist). */
  tableColumns(db: AnyDb, table: string): Promise<TableColumn[]>;
  /** A table's primary key columns in key order (empty when it has none). */
  primaryKeyColumns(db: AnyDb, table: string): Promise<string[]>;
  /** Triggers whose names match the LIKE `pattern` (escaped with `\`). */
  listTriggers(db: AnyDb, pattern: string): Promise<CatalogTrigger[]>;
  /** The statement dropping a trigger (names already quoted). */
  dropTriggerStatement(quotedName: string, quotedTable: string): string;
  /** Whether dropping a trigger needs its table to exist (Postgres: `drop trigger … on <table>`). */
  readonly dropNeedsTable: boolean;
  /** The order of the newest row of a table with no primary key (its physical position). */
  physicalOrder(): RawBuilder<unknown>;
  /** A row `r` of `columns` as the triggers store it, as JSON text. */
  rowImage(columns: readonly TableColumn[]): RawBuilder<string>;
  /** Table triggers whose names match the LIKE `pattern`, with the SQL that carries their marker. */
  tableTriggerSources(db: AnyDb, pattern: string): Promise<(CatalogTrigger & { source: string })[]>;
  /**
   * Moves the oldest recorded changes of `webhook_event` (up to 5,000) into `webhook_outbox`, one delivery row per
   * matching webhook that still exists, in change order then id-list order; returns how many rows
   * it wrote. Run it in a transaction (on Postgres, the claim's: its lock orders the moves).
   */
  fanOut(trx: AnyDb): Promise<number>;
  /**
   * Makes the definition writes regenerating `table`'s triggers take turns until their transaction
   * ends (Postgres: an advisory lock, taken before the definitions are read, so a concurrent write
   * is seen once it commits; SQLite has one writer anyway).
   */
  lockTableTriggers(db: AnyDb, table: string): Promise<void>;
  /** Wakes the outbox's waiters (a NOTIFY on Postgres; SQLite's waits poll). */
  wake(db: AnyDb): Promise<void>;
  /** Whether `webhook_event` holds a change not fanned out yet (a read, no lock taken). */
  hasUnsentChanges(db: AnyDb): Promise<boolean>;
  /** The migration DDL of `004-webhooks`. */
  readonly migration: WebhookMigrationDialect;
}

/** The dialect parts of migration `004-webhooks`. */
export interface WebhookMigrationDialect {
  /** The auto-generated key: identity on Postgres; AUTOINCREMENT (definitions) or a plain rowid (outbox) on SQLite. */
  addId<TName extends string>(
    table: CreateTableBuilder<TName, never>,
    opts: { autoIncrement: boolean },
  ): CreateTableBuilder<TName, "id">;
  /** The default of a boolean column. */
  booleanDefault(value: boolean): RawBuilder<unknown> | number;
  /** `created_at` of an outbox row: `now()` on Postgres; the SQLite triggers stamp it themselves. */
  readonly outboxCreatedAtDefault: RawBuilder<unknown> | null;
  /** Turns a legacy integer `discord_webhooks.enabled` into a boolean (Postgres; nothing on SQLite). */
  upgradeEnabledColumn(db: AnyDb): Promise<void>;
  /** Installs the shared enqueue function the triggers call (Postgres; nothing on SQLite). */
  installEnqueueFunction(db: AnyDb): Promise<void>;
  /** Creates `webhook_event` (migration `011-webhook-events`), if missing. */
  createEventTable(db: AnyDb): Promise<void>;
}

const postgres: WebhookDialect = {
  bool: (value) => value,
  rowText: (column) => sql<string | null>`${sql.ref(`o.${column}`)}::text`,
  async runClaim(db, fn) {
    const run = async (trx: AnyDb) => {
      await sql`select pg_advisory_xact_lock(hashtext('guildkit_webhook_claim'))`.execute(trx);
      return fn(trx);
    };
    return db.isTransaction ? run(db) : db.transaction().execute(run);
  },
  async tablesNamedLike(db, name) {
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' and lower(table_name) = lower(${name})`.execute(
      db,
    );
    return rows.map((r) => r.name);
  },
  async listTables(db) {
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
    return rows.map((r) => r.name);
  },
  async tableColumns(db, table) {
    const { rows } = await sql<NamedColumn>`select column_name as name, data_type as type
      from information_schema.columns where table_schema = current_schema() and table_name = ${table}
      order by ordinal_position`.execute(db);
    return rows.map((r) => ({ name: r.name, type: r.type }));
  },
  async primaryKeyColumns(db, table) {
    const { rows } = await sql<{ name: string }>`select a.attname as name from pg_index i
      join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indisprimary and n.nspname = current_schema() and c.relname = ${table}
      order by array_position(i.indkey::int2[], a.attnum)`.execute(db);
    return rows.map((r) => r.name);
  },
  async listTriggers(db, pattern) {
    const { rows } = await sql<CatalogTrigger>`select t.tgname as name, c.relname as "table" from pg_trigger t
      join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where not t.tgisinternal and n.nspname = current_schema() and t.tgname like ${pattern} escape '\\'`.execute(
      db,
    );
    return rows;
  },
  dropTriggerStatement: (name, table) => `drop trigger if exists ${name} on ${table}`,
  dropNeedsTable: true,
  async tableTriggerSources(db, pattern) {
    const { rows } = await sql<
      CatalogTrigger & { source: string }
    >`select t.tgname as name, c.relname as "table",
      p.prosrc as source from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace join pg_proc p on p.oid = t.tgfoid
      where not t.tgisinternal and n.nspname = current_schema() and t.tgname like ${pattern} escape '\\'`.execute(
      db,
    );
    return rows;
  },
  async fanOut(trx) {
    const moved = await sql`with moved as (
        delete from webhook_event where id in (select id from webhook_event order by id limit ${FAN_OUT_BATCH})
        returning id, webhook_ids, op, old_row, new_row, created_at)
      insert into webhook_outbox (webhook_id, op, old_row, new_row, created_at)
      select u.wid, m.op, m.old_row, m.new_row, m.created_at
      from moved m cross join lateral unnest(m.webhook_ids) with ordinality as u(wid, ord)
      where exists (select 1 from discord_webhooks w where w.id = u.wid)
      order by m.id, u.ord`.execute(trx);
    return Number(moved.numAffectedRows ?? 0);
  },
  async hasUnsentChanges(db) {
    return (await sql`select 1 from webhook_event limit 1`.execute(db)).rows.length > 0;
  },
  async wake(db) {
    await sql`select pg_notify(${NOTIFY_CHANNEL}, '')`.execute(db);
  },
  async lockTableTriggers(db, table) {
    await sql`select pg_advisory_xact_lock(hashtext(${`guildkit_webhook_trigger:${table}`}))`.execute(db);
  },
  physicalOrder: () => sql.raw("r.ctid desc"),
  rowImage: () => sql<string>`to_jsonb(r)::text`,
  migration: {
    addId: (table) => table.addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity()),
    booleanDefault: (value) => (value ? sql`true` : sql`false`),
    outboxCreatedAtDefault: sql`now()`,
    async upgradeEnabledColumn(db) {
      // A legacy table may keep `enabled` as an integer; the store writes booleans.
      const type = await sql<{ type: string }>`select data_type as type from information_schema.columns
        where table_schema = current_schema() and table_name = 'discord_webhooks' and column_name = 'enabled'`.execute(
        db,
      );
      if (!type.rows[0] || type.rows[0].type === "boolean") return;
      await sql`alter table discord_webhooks alter column enabled drop default`.execute(db);
      await sql`alter table discord_webhooks alter column enabled type boolean using enabled::text not in ('0', 'false', '')`.execute(
        db,
      );
      await sql`alter table discord_webhooks alter column enabled set default true`.execute(db);
    },
    async installEnqueueFunction(db) {
      await sql.raw(postgresEnqueueFunctionDdl()).execute(db);
    },
    async createEventTable(db) {
      await sql`create table if not exists webhook_event (
        id bigint generated by default as identity primary key, webhook_ids bigint[] not null, op text not null,
        old_row jsonb, new_row jsonb, created_at timestamptz not null default now())`.execute(db);
    },
  },
};

const sqlite: WebhookDialect = {
  bool: (value) => (value ? 1 : 0),
  rowText: (column) => sql<string | null>`${sql.ref(`o.${column}`)}`,
  runClaim: (db, fn) => fn(db),
  async tablesNamedLike(db, name) {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master
      where type = 'table' and lower(name) = lower(${name})`.execute(db);
    return rows.map((r) => r.name);
  },
  async listTables(db) {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master
      where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
    return rows.map((r) => r.name);
  },
  async tableColumns(db, table) {
    const { rows } = await sql<NamedColumn>`select name, type from pragma_table_info(${table})`.execute(db);
    return rows.map((r) => ({ name: r.name, type: r.type }));
  },
  async primaryKeyColumns(db, table) {
    const { rows } = await sql<{
      name: string;
    }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db);
    return rows.map((r) => r.name);
  },
  async listTriggers(db, pattern) {
    const { rows } = await sql<CatalogTrigger>`select name, tbl_name as "table" from sqlite_master
      where type = 'trigger' and name like ${pattern} escape '\\'`.execute(db);
    return rows;
  },
  dropTriggerStatement: (name) => `drop trigger if exists ${name}`,
  dropNeedsTable: false,
  async tableTriggerSources(db, pattern) {
    const { rows } = await sql<
      CatalogTrigger & { source: string }
    >`select name, tbl_name as "table", sql as source
      from sqlite_master where type = 'trigger' and name like ${pattern} escape '\\'`.execute(db);
    return rows;
  },
  async fanOut(trx) {
    const top = await sql<{ top: number | null }>`select max(id) as top from
      (select id from webhook_event order by id limit ${FAN_OUT_BATCH})`.execute(trx);
    const last = top.rows[0]?.top;
    if (last === null || last === undefined) return 0;
    const moved = await sql`insert into webhook_outbox (webhook_id, op, old_row, new_row, created_at)
      select j.value, e.op, e.old_row, e.new_row, e.created_at from webhook_event e, json_each(e.webhook_ids) j
      where e.id <= ${last} and exists (select 1 from discord_webhooks w where w.id = j.value)
      order by e.id, j.key`.execute(trx);
    await sql`delete from webhook_event where id <= ${last}`.execute(trx);
    return Number(moved.numAffectedRows ?? 0);
  },
  async hasUnsentChanges(db) {
    return (await sql`select 1 from webhook_event limit 1`.execute(db)).rows.length > 0;
  },
  wake: async () => {},
  lockTableTriggers: async () => {},
  physicalOrder: () => sql.raw("r.rowid desc"),
  rowImage: (columns) => sql.raw<string>(sqliteRowJson("r", columns)),
  migration: {
    // The outbox is written by every watched data change, so it is kept lean on SQLite: a rowid
    // key (no AUTOINCREMENT bookkeeping; ids are never deleted from the top, so never reused).
    addId: (table, { autoIncrement }) =>
      table.addColumn("id", "integer", (c) =>
        autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
      ),
    booleanDefault: (value) => (value ? 1 : 0),
    outboxCreatedAtDefault: null,
    upgradeEnabledColumn: async () => {},
    installEnqueueFunction: async () => {},
    async createEventTable(db) {
      // A rowid table with no other index: the one row a data change writes stays cheap.
      await sql`create table if not exists webhook_event (id integer primary key, webhook_ids text not null,
        op text not null, old_row text, new_row text, created_at text)`.execute(db);
    },
  },
};

/** The webhook SQL of `dialect`. */
export function webhookDialect(dialect: Dialect): WebhookDialect {
  return dialect === "postgres" ? postgres : sqlite;
}

/** The LIKE pattern of trigger names starting with `prefix` (guildkit's by default). */
export function triggerPattern(prefix = TRIGGER_PREFIX): string {
  return `${prefix.replaceAll("_", "\\_")}%`;
}
