import type { Kysely } from "kysely";
import type { Dialect } from "../dialect";

/**
 * The database handle a migration receives: untyped on purpose, since a migration describes the
 * schema as it was when it was written, not today's `Database` type.
 */
// biome-ignore lint/suspicious/noExplicitAny: kysely's documented type for migrations (schema at write time)
export type MigrationDb = Kysely<any>;

/** What every migration is handed besides the database. */
export interface MigrationContext {
  /** The dialect, for the one place per feature where SQL differs. */
  dialect: Dialect;
  /** The time to stamp rows a migration writes (event log entries, imported config). */
  now(): Date;
}

/**
 * One migration. `name` is `NNN-feature` (e.g. `002-role-sync`) and orders the migrations.
 * `up` must be idempotent: it may meet a database where its tables or columns already exist (a
 * seed-system database, or one migrated before the migration table existed). Forward-only: there
 * are no `down` migrations.
 */
export interface GuildkitMigration {
  readonly name: string;
  up(db: MigrationDb, ctx: MigrationContext): Promise<void>;
}

/** Declares a migration (checks the name's `NNN-feature` form). */
export function defineMigration(migration: GuildkitMigration): GuildkitMigration {
  if (!/^\d{3}-[a-z0-9][a-z0-9-]*$/.test(migration.name)) {
    throw new TypeError(`migration name "${migration.name}" must look like "002-role-sync"`);
  }
  return migration;
}
