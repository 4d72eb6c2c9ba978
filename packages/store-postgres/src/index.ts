/**
 * Every guildkit store port on PostgreSQL: kysely over pg.
 *
 * @packageDocumentation
 */
import {
  type AssembleStoreOptions,
  assembleStore,
  type Clock,
  type Database,
  type GuildkitStore,
} from "@guildkit/store-kysely";
import { CompiledQuery, Kysely, PostgresDialect, type PostgresPool } from "kysely";
import pg from "pg";
import { listenForWebhookEvents } from "./webhook-wakeups";

export type { PostgresPool } from "kysely";

/** Options of {@link createPostgresStore}: a pg `Pool` (or compatible), or a connection string. */
export type PostgresStoreOptions = (
  | { pool: PostgresPool }
  | {
      connectionString: string;
      /** Pool size; default 10. */
      max?: number;
    }
) & {
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
};

/** The Postgres store: every store port plus `kysely`, `migrate()`, `ping()`, `transaction()`, `close()`. */
export type PostgresStore = GuildkitStore & {
  readonly dialect: "postgres";
  /** The schema given in the options, `null` for the connection's default `search_path`. */
  readonly schema: string | null;
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
 * (`connect()` → client with `query`/`release`, `end()`); `close()` ends it.
 *
 * @example
 * const store = createPostgresStore({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
 * await store.migrate();
 * await store.eventLog.append({ kind: "app.started", level: "info", message: "hello" });
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const schema = options.schema ?? null;
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new InvalidSchemaNameError(schema);
  const pool =
    "pool" in options
      ? options.pool
      : new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
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
  const store = assembleStore(kysely, "postgres", {
    clock: options.clock,
    migrations: options.migrations,
    secretBox: options.secretBox,
    beforeMigrate: quoted
      ? async (db) => {
          await db.executeQuery(CompiledQuery.raw(`create schema if not exists ${quoted}`));
        }
      : undefined,
  });
  listenForWebhookEvents(store, pool);
  return Object.assign(store, { schema }) as PostgresStore;
}
