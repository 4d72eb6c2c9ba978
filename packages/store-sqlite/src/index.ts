/**
 * The guildkit store ports on SQLite, for the features asked for: kysely over better-sqlite3, WAL mode.
 *
 * @packageDocumentation
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { systemScheduler } from "@guildkit/core/system";
import {
  type AssembleStoreOptions,
  assembleStore,
  type Clock,
  type Database,
  type GuildkitStore,
  type MembersTableOptions,
  type StoreFeature,
} from "@guildkit/store-kysely";
import { createPollingWakeups, type Scheduler } from "@guildkit/webhook-templates";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely";

export {
  MembersTableMismatchError,
  type MembersTableOptions,
  STORE_FEATURES,
  type StoreFeature,
  StoreNotMigratedError,
  UnknownStoreFeatureError,
} from "@guildkit/store-kysely";
export type { SqliteDatabase } from "kysely";

/** Options of {@link openSqliteDatabase}. */
export interface OpenSqliteOptions {
  /** How long a writer waits for another process's lock before `SQLITE_BUSY`; default 5000 ms. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating it and its folder if needed) a SQLite database file with the settings guildkit
 * expects: `journal_mode=WAL` (readers never block the writer), `busy_timeout`, `foreign_keys=ON`,
 * `synchronous=NORMAL`. `":memory:"` opens a private in-memory database.
 */
export function openSqliteDatabase(
  filename: string,
  options: OpenSqliteOptions = {},
): BetterSqlite3.Database {
  const inMemory = filename === ":memory:" || filename === "";
  if (!inMemory) mkdirSync(dirname(filename), { recursive: true });
  const database = new BetterSqlite3(filename);
  if (!inMemory) database.pragma("journal_mode = WAL");
  database.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  database.pragma("foreign_keys = ON");
  database.pragma("synchronous = NORMAL");
  return database;
}

/** Options of {@link createSqliteStore}: an open database, or a file name to open. */
export type SqliteStoreOptions<TFeature extends StoreFeature = StoreFeature> = (
  | { database: SqliteDatabase }
  | { filename: string }
) & {
  /**
   * The features to serve — `"role-sync"`, `"login"`, `"webhooks"`, `"speedbump"`: the store has only
   * their ports and `migrate()` creates only their tables (see the README). Every feature by default.
   */
  features?: readonly TFeature[];
  /**
   * The host's own member table for role sync and login — `{ table: "users", id: "user_id",
   * discordUserId: "discord_id", … }` — instead of the seed system's `members` (the default), which
   * guildkit then does not create.
   */
  members?: MembersTableOptions;
  /** Stamps rows; the wall clock by default. */
  clock?: Clock;
  /** The migrations `migrate()` runs; every registered one by default. */
  migrations?: AssembleStoreOptions["migrations"];
  /**
   * Seals secret settings at rest — `createSecretBox({ keys })` of `@guildkit/core`, keyed from
   * `GUILDKIT_SECRET_KEY`. Config loaders on the store, `migrate()` and `secrets.rotate()` use it.
   */
  secretBox?: AssembleStoreOptions["secretBox"];
  /**
   * Paces the polling that wakes `webhooks.waitForEvents` (every 50 ms unless a wait says
   * otherwise); `systemScheduler` of `@guildkit/core/system` by default.
   */
  scheduler?: Scheduler;
};

/**
 * The SQLite store: the ports of its features (every feature by default) plus `kysely`, `migrate()`,
 * `ping()`, `transaction()`, `close()`.
 */
export type SqliteStore<TFeature extends StoreFeature = StoreFeature> = GuildkitStore<TFeature> & {
  readonly dialect: "sqlite";
};

/**
 * Creates the SQLite store. The database is typed by the smallest interface kysely calls
 * (`prepare`, `close`), so any better-sqlite3-compatible handle works. `close()` closes it.
 *
 * @example
 * const store = createSqliteStore({ database: openSqliteDatabase("./data/guildkit.sqlite") });
 * await store.migrate();
 * await store.eventLog.append({ kind: "app.started", level: "info", message: "hello" });
 */
export function createSqliteStore<const TFeature extends StoreFeature = StoreFeature>(
  options: SqliteStoreOptions<TFeature>,
): SqliteStore<TFeature> {
  const database = "database" in options ? options.database : openSqliteDatabase(options.filename);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return assembleStore<TFeature>(kysely, "sqlite", {
    clock: options.clock,
    features: options.features,
    members: options.members,
    migrations: options.migrations,
    secretBox: options.secretBox,
    // SQLite has no NOTIFY (and triggers' writes are invisible to the process): the outbox polls.
    webhookWakeups: createPollingWakeups({ scheduler: options.scheduler ?? systemScheduler }),
  }) as SqliteStore<TFeature>;
}
