/**
 * The guildkit store ports on PostgreSQL, for the features asked for: kysely over pg.
 *
 * @packageDocumentation
 */
import {
  type AssembleStoreOptions,
  assembleStore,
  type Clock,
  type Database,
  type GuildkitStore,
  type MembersTableOptions,
  type StoreFeature,
  systemClock,
} from "@guildkit/store-kysely";
import { CompiledQuery, Kysely, PostgresDialect, type PostgresPool } from "kysely";
import pg from "pg";
import { type PostgresConnectionEventHandler, safeReporter, watchPool } from "./connection";
import { createListenWakeups, type ListenReconnectOptions, type ListenWakeups } from "./webhook-wakeups";

export {
  MembersTableMismatchError,
  type MembersTableOptions,
  STORE_FEATURES,
  type StoreFeature,
  StoreNotMigratedError,
  UnknownStoreFeatureError,
} from "@guildkit/store-kysely";
export type { PostgresPool } from "kysely";
export {
  isConnectionError,
  type PostgresConnectionEvent,
  type PostgresConnectionEventHandler,
} from "./connection";
export {
  createListenWakeups,
  type ListenReconnectOptions,
  type ListenWakeupOptions,
  type ListenWakeups,
} from "./webhook-wakeups";

/** Options of {@link createPostgresStore}: a pg `Pool` (or compatible), or a connection string. */
export type PostgresStoreOptions<TFeature extends StoreFeature = StoreFeature> = (
  | { pool: PostgresPool }
  | {
      connectionString: string;
      /** Pool size; default 10. */
      max?: number;
    }
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
  /**
   * Schema to work in: set as the `search_path` of every connection and created by `migrate()` if
   * missing. Lets several guildkit installations (or test runs) share one database.
   */
  schema?: string;
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
   * Hears about connection trouble the store handles by itself — an idle pooled connection that
   * died, the `LISTEN` connection lost, retried and restored (see {@link PostgresConnectionEvent}).
   * Wire it to your logger; without it they are handled silently. Nothing here is fatal: queries
   * made while the database is away reject (see {@link isConnectionError}), the process goes on.
   */
  onConnectionEvent?: PostgresConnectionEventHandler;
  /** How the webhook `LISTEN` connection is reopened after it fails (backoff 250 ms doubling to 5 s). */
  listenReconnect?: ListenReconnectOptions;
};

/**
 * The Postgres store: the ports of its features (every feature by default) plus `kysely`,
 * `migrate()`, `ping()`, `transaction()`, `close()`.
 */
export type PostgresStore<TFeature extends StoreFeature = StoreFeature> = GuildkitStore<TFeature> & {
  readonly dialect: "postgres";
  /** The schema given in the options, `null` for the connection's default `search_path`. */
  readonly schema: string | null;
  /**
   * The `LISTEN/NOTIFY` wake-ups every `webhooks.waitForEvents` of this store waits on (those of
   * `transaction()`'s ports too); `close()` releases their connection.
   */
  readonly webhookWakeups: ListenWakeups;
};

/** The `schema` option is not a plain SQL identifier. */
export class InvalidSchemaNameError extends Error {
  override readonly name = "InvalidSchemaNameError";
  readonly code = "invalid_schema_name";
  readonly schema: string;

  constructor(schema: string) {
    super(
      `schema name ${JSON.stringify(schema)} must be letters, digits and _ (not starting with a digit), e.g. guildkit`,
    );
    this.schema = schema;
  }
}

/**
 * Creates the Postgres store. The pool is typed by the smallest interface kysely calls
 * (`connect()` → client with `query`/`release`, `end()`); `close()` ends it. The store listens to
 * the pool's `error` events (and every connection's), so a database restart, failover or idle kill
 * never crashes the process: it is reported to `onConnectionEvent` and the next query reconnects.
 *
 * @example
 * const store = createPostgresStore({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
 * await store.migrate();
 * await store.eventLog.append({ kind: "app.started", level: "info", message: "hello" });
 */
export function createPostgresStore<const TFeature extends StoreFeature = StoreFeature>(
  options: PostgresStoreOptions<TFeature>,
): PostgresStore<TFeature> {
  const schema = options.schema ?? null;
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new InvalidSchemaNameError(schema);
  const pool =
    "pool" in options
      ? options.pool
      : new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  const report = safeReporter(options.onConnectionEvent);
  watchPool(pool, report);
  const quoted = schema === null ? null : `"${schema}"`;
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: quoted
        ? async (connection) => {
            await connection.executeQuery(CompiledQuery.raw(`set search_path to ${quoted}`));
          }
        : undefined,
    }),
  });
  const webhookWakeups = createListenWakeups(pool, {
    clock: options.clock ?? systemClock,
    report,
    reconnect: options.listenReconnect,
  });
  const store = assembleStore<TFeature>(kysely, "postgres", {
    clock: options.clock,
    features: options.features,
    members: options.members,
    webhookWakeups,
    beforeClose: () => webhookWakeups.close(),
    migrations: options.migrations,
    secretBox: options.secretBox,
    beforeMigrate: quoted
      ? async (db) => {
          await db.executeQuery(CompiledQuery.raw(`create schema if not exists ${quoted}`));
        }
      : undefined,
  });
  return Object.assign(store, { schema, webhookWakeups }) as PostgresStore<TFeature>;
}
