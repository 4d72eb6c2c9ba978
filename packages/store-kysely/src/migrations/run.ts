import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { type Clock, type Dialect, systemClock } from "../dialect";
import { migrations as registry } from "./index";
import type { GuildkitMigration, MigrationContext } from "./types";

/** The tables kysely's Migrator keeps its bookkeeping in. */
export const MIGRATION_TABLE = "guildkit_migration";
/** The Migrator's lock table. */
export const MIGRATION_LOCK_TABLE = "guildkit_migration_lock";

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
 * A kysely `MigrationProvider` over a static, ordered list of migrations, each handed the dialect.
 * Refuses a list whose names are duplicated or out of order.
 */
export function createMigrationProvider(
  dialect: Dialect,
  options: { migrations?: readonly GuildkitMigration[]; clock?: Clock } = {},
): MigrationProvider {
  const list = options.migrations ?? registry;
  const clock = options.clock ?? systemClock;
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1]!.name;
    const name = list[i]!.name;
    if (!(prev < name)) throw new TypeError(`migrations out of order or duplicated: "${prev}" then "${name}"`);
  }
  const ctx: MigrationContext = { dialect, now: () => clock.now() };
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const migration of list) out[migration.name] = { up: (db) => migration.up(db, ctx) };
      return out;
    },
  };
}

/**
 * Applies every pending migration (kysely's Migrator, in one transaction on both dialects, with
 * Postgres serialising concurrent callers through an advisory lock). Safe to call on every start.
 * Migrations that were reserved and land later than a higher-numbered one still run
 * (`allowUnorderedMigrations`), since the features develop in parallel and are independent.
 *
 * @throws {@link MigrationError} naming the failed migration.
 */
export async function migrateToLatest<TDatabase>(
  db: Kysely<TDatabase>,
  dialect: Dialect,
  options: { migrations?: readonly GuildkitMigration[]; clock?: Clock; signal?: AbortSignal } = {},
): Promise<MigrationReport> {
  options.signal?.throwIfAborted();
  const migrator = new Migrator({
    db,
    provider: createMigrationProvider(dialect, options),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? null;
    throw new MigrationError(failed, error);
  }
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) };
}
