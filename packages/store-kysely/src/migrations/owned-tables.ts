import type { GuildkitMigration } from "./types";

/** The tables kysely's Migrator keeps its bookkeeping in. */
export const MIGRATION_TABLE = "guildkit_migration";
/** The Migrator's lock table. */
export const MIGRATION_LOCK_TABLE = "guildkit_migration_lock";

/**
 * Every table guildkit owns, lower case: what the migrations declare in `tables` (created, or a
 * seed system's table they take charge of) plus the Migrator's own two. No webhook may watch one and
 * no preview may read one; `members` and the other `hostTables` are the host's and may be watched.
 */
export function guildkitTables(list: readonly GuildkitMigration[]): ReadonlySet<string> {
  return new Set(
    [MIGRATION_TABLE, MIGRATION_LOCK_TABLE, ...list.flatMap((m) => m.tables)].map((t) => t.toLowerCase()),
  );
}

/** A migration created a table it does not declare (`tables` or `hostTables`). */
export class UndeclaredTableError extends Error {
  override readonly name = "UndeclaredTableError";
  readonly code = "undeclared_table";
  readonly migration: string;
  readonly tables: readonly string[];

  constructor(migration: string, tables: readonly string[]) {
    super(
      `migration ${migration} created ${tables.join(", ")} without declaring it: list guildkit's own tables ` +
        "in the migration's `tables` (no webhook may watch them) and host tables in `hostTables`",
    );
    this.migration = migration;
    this.tables = tables;
  }
}

/**
 * Checks what a migration created (the tables after its `up` that were not there before) against
 * what it declares.
 *
 * @throws {@link UndeclaredTableError}
 */
export function checkDeclaredTables(
  migration: GuildkitMigration,
  before: readonly string[],
  after: readonly string[],
): void {
  const existed = new Set(before.map((t) => t.toLowerCase()));
  const declared = new Set([...migration.tables, ...(migration.hostTables ?? [])]);
  const undeclared = after.filter((t) => !existed.has(t.toLowerCase()) && !declared.has(t.toLowerCase()));
  if (undeclared.length > 0) throw new UndeclaredTableError(migration.name, undeclared);
}
