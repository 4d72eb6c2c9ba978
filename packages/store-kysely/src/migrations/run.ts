import type { SecretBox } from "@guildkit/core";
import { systemScheduler } from "@guildkit/core/system";
import {
  type DatabaseIntrospector,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
  type TableMetadata,
} from "kysely";
import { type Clock, type Dialect, systemClock } from "../dialect";
import { migrationGroups, resolveFeatures, type StoreFeature } from "../features";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "../members-table/shape";
import { SecretKeyRequiredError } from "../secrets/errors";
import { listTables } from "../webhooks/catalog";
import { tableExists } from "./ddl";
import { migrations as registry } from "./index";
import { checkDeclaredTables, guildkitTables, MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from "./owned-tables";
import type { GuildkitMigration, MigrationContext, MigrationDb } from "./types";

export { MIGRATION_LOCK_TABLE, MIGRATION_TABLE };

/** Options of {@link migrateToLatest} and {@link createMigrationProvider}. */
export interface MigrateOptions {
  /** The migrations to run; the registry by default (tests may pass a prefix of it). */
  migrations?: readonly GuildkitMigration[];
  clock?: Clock;
  /** Seals secrets found in plaintext (migration `008-secrets`); `null` when no key is configured. */
  secretBox?: SecretBox | null;
  /**
   * The features to migrate for: only the migrations of the groups they need run (see
   * `FEATURE_MIGRATIONS`); every feature by default. A later call with more features runs the rest.
   */
  features?: readonly StoreFeature[];
  /** Where the members are (`resolveMembersTable`); the seed system's `members` by default. */
  members?: MembersTable;
}

/** The migrations of `list` that `features` need, in order (a migration without a feature is foundation's). */
export function migrationsFor(
  list: readonly GuildkitMigration[],
  features: readonly StoreFeature[] | undefined,
): GuildkitMigration[] {
  const groups = migrationGroups(resolveFeatures(features));
  return list.filter((m) => groups.has(m.feature ?? "foundation"));
}

/**
 * What a migration is handed: the dialect, the clock, the box, and every table guildkit owns (the
 * registry's declarations and those of `migrations`). For calling a migration's `up` directly.
 */
export function createMigrationContext(dialect: Dialect, options: MigrateOptions = {}): MigrationContext {
  const clock = options.clock ?? systemClock;
  return {
    dialect,
    now: () => clock.now(),
    secretBox: options.secretBox ?? null,
    ownedTables: guildkitTables([...registry, ...(options.migrations ?? [])]),
    members: options.members ?? DEFAULT_MEMBERS_TABLE,
  };
}

/** A migration failed; the database is left as the last successful migration made it. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  readonly code = "migration_failed";
  /** The migration that failed, `null` when the Migrator failed before running one. */
  readonly migration: string | null;

  constructor(migration: string | null, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(migration ? `migration ${migration} failed: ${reason}` : `migrating failed: ${reason}`, { cause });
    this.migration = migration;
  }
}

/** What {@link migrateToLatest} did. */
export interface MigrationReport {
  /** Migrations applied by this call, in order (empty when the database was up to date). */
  applied: string[];
}

/**
 * A kysely `MigrationProvider` over a static, ordered list of migrations, each handed the
 * {@link createMigrationContext}: those `options.features` need, and those in `applied` (kysely
 * refuses a database whose applied migrations its provider lacks). Refuses a list whose names are
 * duplicated or out of order. Each `up` is checked to create only the tables its migration declares
 * (`UndeclaredTableError`).
 */
export function createMigrationProvider(
  dialect: Dialect,
  options: MigrateOptions = {},
  applied: ReadonlySet<string> = new Set(),
): MigrationProvider {
  const all = options.migrations ?? registry;
  const wanted = new Set(migrationsFor(all, options.features).map((m) => m.name));
  const list = all.filter((m) => wanted.has(m.name) || applied.has(m.name));
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1]!.name;
    const name = list[i]!.name;
    if (!(prev < name))
      throw new TypeError(`migrations out of order or duplicated: "${prev}" then "${name}"`);
  }
  const ctx = createMigrationContext(dialect, options);
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const migration of list) {
        out[migration.name] = {
          async up(db) {
            const before = await listTables(db, dialect);
            await migration.up(db, ctx);
            checkDeclaredTables(migration, before, await listTables(db, dialect));
          },
        };
      }
      return out;
    },
  };
}

/**
 * Applies every pending migration (kysely's Migrator, in one transaction on both dialects).
 * Concurrent callers are serialised: Postgres through kysely's advisory lock, SQLite by taking the
 * write lock up front (`BEGIN IMMEDIATE`). Safe to call on every start of every process.
 * Migrations that were reserved and land later than a higher-numbered one still run
 * (`allowUnorderedMigrations`), since the features develop in parallel and are independent.
 *
 * @throws {@link MigrationError} naming the failed migration.
 * @throws {@link SecretKeyRequiredError} when the database holds plaintext secrets to seal and
 * `secretBox` is `null` (nothing is changed).
 */
export async function migrateToLatest<TDatabase>(
  db: Kysely<TDatabase>,
  dialect: Dialect,
  options: MigrateOptions & { signal?: AbortSignal } = {},
): Promise<MigrationReport> {
  options.signal?.throwIfAborted();
  if (dialect === "postgres") {
    // Pin the Migrator's bookkeeping tables to the schema this connection works in: unpinned, kysely
    // looks for them in every schema, and a fresh schema next to another guildkit schema (parallel
    // test runs, several installations in one database) would skip creating its own.
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const schema = rows[0]?.schema;
    for (let attempt = 1; ; attempt++) {
      try {
        return await runMigrator(db, dialect, { ...options, schema }, false);
      } catch (error) {
        if (attempt >= INTROSPECTION_ATTEMPTS || !droppedMeanwhile(error, schema)) throw error;
      }
    }
  }
  // SQLite: kysely's SQLite migration lock is a no-op and its transaction is deferred, so two
  // processes starting together (server + worker) would both run the migrations. Take the write
  // lock first (BEGIN IMMEDIATE) on one pinned connection and run the Migrator inside it.
  return db.connection().execute(async (conn) => {
    await beginImmediate(conn, options.signal);
    try {
      const report = await runMigrator(conn, dialect, options, true);
      await sql`commit`.execute(conn);
      return report;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw error;
    }
  });
}

/**
 * The registered migrations this database has not applied yet, in order (empty when it is up to
 * date). Read-only: it creates nothing, so a database never migrated lists every migration. Used by
 * readiness checks (`/readyz`): a process on an unmigrated database is not ready.
 */
export async function pendingMigrations<TDatabase>(
  db: Kysely<TDatabase>,
  dialect: Dialect,
  options: {
    migrations?: readonly GuildkitMigration[];
    features?: readonly StoreFeature[];
    signal?: AbortSignal;
  } = {},
): Promise<string[]> {
  options.signal?.throwIfAborted();
  const list = migrationsFor(options.migrations ?? registry, options.features);
  const applied = await appliedMigrations(db, dialect);
  return list.filter((m) => !applied.has(m.name)).map((m) => m.name);
}

/** The names of the migrations this database has applied (none when it was never migrated). */
async function appliedMigrations<TDatabase>(db: Kysely<TDatabase>, dialect: Dialect): Promise<Set<string>> {
  const conn = db as unknown as MigrationDb;
  // Two small queries rather than the Migrator's introspection, which lists every table of every
  // schema (a readiness probe runs this every few seconds).
  if (!(await tableExists(conn, dialect, MIGRATION_TABLE))) return new Set();
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(conn);
  return new Set(rows.map((row) => row.name));
}

async function runMigrator<TDatabase>(
  db: Kysely<TDatabase>,
  dialect: Dialect,
  options: MigrateOptions & { schema?: string | undefined },
  disableTransactions: boolean,
): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: withOwnIntrospection(db, dialect, options.schema),
    provider: createMigrationProvider(dialect, options, await appliedMigrations(db, dialect)),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(options.schema ? { migrationTableSchema: options.schema } : {}),
    allowUnorderedMigrations: true,
    disableTransactions,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error instanceof SecretKeyRequiredError) throw error;
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? null;
    throw new MigrationError(failed, error);
  }
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) };
}

/**
 * `db` for the Migrator, whose bookkeeping asks the introspector whether its two tables and its
 * schema exist. kysely's Postgres introspector lists every column of every schema, calling
 * `pg_get_serial_sequence` on each: when another installation (or a parallel test) drops or
 * creates its tables at that moment, the call fails on a column that just vanished (42703) and so
 * does the migration. Here the introspector reads only the names of this schema's tables.
 */
function withOwnIntrospection<TDatabase>(
  db: Kysely<TDatabase>,
  dialect: Dialect,
  schema: string | undefined,
): Kysely<TDatabase> {
  const conn = db as unknown as MigrationDb;
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } =
      dialect === "postgres"
        ? await sql<{ name: string; schema: string }>`select table_name as name, table_schema as schema
            from information_schema.tables where table_schema = coalesce(${schema ?? null}, current_schema())`.execute(
            conn,
          )
        : await sql<{ name: string; schema: string }>`select name, 'main' as schema from sqlite_master
            where type = 'table'`.execute(conn);
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: false, columns: [] }));
  };
  const introspection: DatabaseIntrospector = {
    async getSchemas() {
      if (dialect !== "postgres" || schema === undefined) return [];
      const { rows } = await sql<{ name: string }>`select nspname as name from pg_namespace
        where nspname = ${schema}`.execute(conn);
      return rows;
    },
    getTables,
    async getMetadata() {
      return { tables: await getTables() };
    },
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "introspection") return introspection;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** How often the Postgres Migrator is run again when another schema vanished under its introspection. */
const INTROSPECTION_ATTEMPTS = 5;

/**
 * True when the Migrator failed because a schema other than ours was dropped while kysely's
 * introspection listed the tables of every schema (`has_schema_privilege` on a name that no longer
 * exists: SQLSTATE 3F000). That happens when another installation or test run in the same database
 * drops its schema at that moment; nothing was applied (the error comes before any migration runs),
 * so running the Migrator again is safe.
 */
function droppedMeanwhile(error: unknown, ownSchema: string | undefined): boolean {
  if (!(error instanceof MigrationError) || error.migration !== null) return false;
  const code = (error.cause as { code?: unknown } | null)?.code;
  if (code !== "3F000") return false;
  const message = error.cause instanceof Error ? error.cause.message : "";
  return ownSchema === undefined || !message.includes(`"${ownSchema}"`);
}

const LOCK_WAIT_LIMIT_MS = 60_000;

/**
 * `BEGIN IMMEDIATE`, retried with a growing pause while another connection holds the write lock
 * (the driver's busy timeout covers another process; the pause also lets a connection of this
 * process, which cannot progress during a synchronous busy wait, finish).
 */
async function beginImmediate<TDatabase>(conn: Kysely<TDatabase>, signal?: AbortSignal): Promise<void> {
  const started = systemClock.now().getTime();
  for (let pause = 20; ; pause = Math.min(pause * 2, 1000)) {
    signal?.throwIfAborted();
    try {
      await sql`begin immediate`.execute(conn);
      return;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const busy = typeof code === "string" && code.startsWith("SQLITE_BUSY");
      if (!busy || systemClock.now().getTime() - started > LOCK_WAIT_LIMIT_MS)
        throw new MigrationError(null, error);
      await systemScheduler.sleep(pause, { signal });
    }
  }
}
