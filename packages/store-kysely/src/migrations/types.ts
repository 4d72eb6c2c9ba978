import type { SecretBox } from "@guildkit/core";
import type { Kysely } from "kysely";
import type { Dialect } from "../dialect";
import type { MigrationFeature } from "../features";
import type { MembersTable } from "../members-table/shape";

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
  /**
   * Seals the secrets a migration stores or finds in plaintext; `null` when the store was built
   * without a key (a migration that meets a plaintext secret then throws `SecretKeyRequiredError`).
   */
  secretBox: SecretBox | null;
  /**
   * Every table guildkit owns (lower case): what the registered migrations declare in `tables`,
   * plus the Migrator's bookkeeping. No webhook may watch one.
   */
  ownedTables: ReadonlySet<string>;
  /**
   * Where the members are: the seed system's `members` (the default, created when missing) or a
   * host's table named in the store's `members` option (never created nor completed; its columns are
   * checked).
   */
  members: MembersTable;
}

/**
 * One migration. `name` is `NNN-feature` (e.g. `002-role-sync`) and orders the migrations.
 * `up` must be idempotent: it may meet a database where its tables or columns already exist (a
 * seed-system database, or one migrated before the migration table existed). Forward-only: there
 * are no `down` migrations.
 */
export interface GuildkitMigration {
  readonly name: string;
  /**
   * What the migration belongs to: `foundation` (every store), `members` (the member table, which
   * `role-sync` and `login` need) or one store feature. `migrate({ features })` runs the migrations of
   * the groups its features need (`FEATURE_MIGRATIONS`); a later call with more features runs the rest.
   * Required by {@link defineMigration}; a hand-made migration without one counts as `foundation`.
   */
  readonly feature?: MigrationFeature;
  /**
   * The tables this migration creates or takes charge of (a seed system's tables it imports, seals
   * or upgrades) — guildkit's own, which no webhook may watch and no preview may read. Creating a
   * table not listed here or in `hostTables` fails the migration, so the set the webhook guard
   * refuses is complete by construction.
   */
  readonly tables: readonly string[];
  /**
   * Tables of the host's that this migration creates when missing or completes (`members`): a
   * webhook may watch them, so guildkit stores no secret in them.
   */
  readonly hostTables?: readonly string[];
  up(db: MigrationDb, ctx: MigrationContext): Promise<void>;
}

/** Declares a migration (checks the name's `NNN-feature` form); it must name its `feature`. */
export function defineMigration(
  migration: GuildkitMigration & { readonly feature: MigrationFeature },
): GuildkitMigration {
  if (!/^\d{3}-[a-z0-9][a-z0-9-]*$/.test(migration.name)) {
    throw new TypeError(`migration name "${migration.name}" must look like "002-role-sync"`);
  }
  for (const table of [...migration.tables, ...(migration.hostTables ?? [])]) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) {
      throw new TypeError(
        `migration ${migration.name}: table "${table}" must be a lower-case SQL identifier`,
      );
    }
  }
  return migration;
}
