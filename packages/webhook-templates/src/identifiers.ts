import { IdentifierError } from "./errors";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Postgres truncates identifiers beyond 63 bytes; we refuse them instead. */
export const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Tables a webhook may never watch: guildkit's own webhook tables (a trigger on the outbox would
 * feed itself), the migration bookkeeping, and the databases' catalogs.
 */
export const RESERVED_TABLES: readonly string[] = [
  "webhook_outbox",
  "webhook_event",
  "discord_webhooks",
  "discord_webhook_conditions",
  "discord_webhook_queue",
  "kysely_migration",
  "kysely_migration_lock",
];

/** True when `name` is a plain identifier guildkit will put in SQL (`[A-Za-z_][A-Za-z0-9_]*`, ≤ 63). */
export function isSafeIdentifier(name: string): boolean {
  return name.length <= MAX_IDENTIFIER_LENGTH && IDENTIFIER.test(name);
}

/**
 * Checks `name` as an SQL identifier and returns it, or throws {@link IdentifierError}. `what`
 * names it in the message ("table", "column").
 */
export function assertIdentifier(name: string, what = "identifier"): string {
  if (name.length === 0) {
    throw new IdentifierError(`${what} name is empty`, { identifier: name, reason: "empty" });
  }
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    throw new IdentifierError(
      `${what} name is ${name.length} characters long; at most ${MAX_IDENTIFIER_LENGTH} are allowed`,
      { identifier: name, reason: "too_long" },
    );
  }
  if (!IDENTIFIER.test(name)) {
    throw new IdentifierError(
      `${what} name ${JSON.stringify(name)} may only hold letters A-Z, digits and "_", and may not start with a digit`,
      { identifier: name, reason: "invalid_characters" },
    );
  }
  return name;
}

/** Options of {@link assertWatchableTable}. */
export interface WatchableTableOptions {
  /**
   * More tables no webhook may watch, besides {@link RESERVED_TABLES}: the tables the store's own
   * migrations create or manage (settings with secrets, sessions, OAuth state, the event log…).
   * Compared ignoring case.
   */
  reservedTables?: Iterable<string>;
}

/**
 * Checks `name` as a table a webhook may watch: a safe identifier that is not one of
 * {@link RESERVED_TABLES}, not one of `options.reservedTables` and not a database catalog
 * (`sqlite_…`, `pg_…`).
 */
export function assertWatchableTable(name: string, options: WatchableTableOptions = {}): string {
  assertIdentifier(name, "table");
  const lower = name.toLowerCase();
  if (RESERVED_TABLES.includes(lower) || lower.startsWith("sqlite_") || lower.startsWith("pg_")) {
    throw new IdentifierError(`table ${name} belongs to guildkit or the database and cannot be watched`, {
      identifier: name,
      reason: "reserved",
    });
  }
  for (const reserved of options.reservedTables ?? []) {
    if (reserved.toLowerCase() === lower) {
      throw new IdentifierError(
        `table ${name} belongs to guildkit (its rows hold settings, secrets or bookkeeping) and cannot be watched; ` +
          "watch a table of your own",
        { identifier: name, reason: "reserved" },
      );
    }
  }
  return name;
}

/**
 * Quotes an identifier for SQLite and Postgres alike (`"name"`), after checking it with
 * {@link assertIdentifier}. Quoting keeps Postgres from folding its case.
 */
export function quoteIdentifier(name: string, what = "identifier"): string {
  return `"${assertIdentifier(name, what)}"`;
}
