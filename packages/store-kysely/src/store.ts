import type { SecretBox } from "@guildkit/core";
import { type Kysely, sql } from "kysely";
import { type Clock, type Dialect, systemClock } from "./dialect";
import { type MigrationReport, migrateToLatest, pendingMigrations } from "./migrations/run";
import type { GuildkitMigration } from "./migrations/types";
import { createStorePorts, type StorePortOptions, type StorePorts } from "./ports";
import type { Database } from "./schema";

/** What every store has besides its ports. */
export interface StoreCore {
  readonly dialect: Dialect;
  /** The kysely instance (typed with the reference schema), for queries no port covers. */
  readonly kysely: Kysely<Database>;
  /**
   * Applies pending migrations; safe on every start (see `migrateToLatest`). Plaintext secrets are
   * sealed with the store's `secretBox` (or `opts.secretBox`); without either, a database holding
   * some fails with `SecretKeyRequiredError` and nothing changes.
   */
  migrate(opts?: { signal?: AbortSignal; secretBox?: SecretBox | null }): Promise<MigrationReport>;
  /**
   * The migrations `migrate()` would apply, in order (empty when up to date). Read-only; readiness
   * checks use it: a process on an unmigrated database is not ready.
   */
  pendingMigrations(opts?: { signal?: AbortSignal }): Promise<string[]>;
  /** One round trip to the database (health checks). */
  ping(opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Runs `fn` in a database transaction with every port bound to it: all its writes commit
   * together or none does.
   */
  transaction<T>(fn: (ports: StorePorts) => Promise<T>, opts?: { signal?: AbortSignal }): Promise<T>;
  /** Closes the database handle / pool the store was given. Idempotent. */
  close(): Promise<void>;
}

/** A complete store: the core plus every port. Both `SqliteStore` and `PostgresStore` are one. */
export type GuildkitStore = StoreCore & StorePorts;

/** Options of {@link assembleStore}. */
export interface AssembleStoreOptions {
  clock?: Clock;
  /** Runs before migrating, e.g. `create schema if not exists` on Postgres. */
  beforeMigrate?: (db: Kysely<Database>) => Promise<void>;
  /** The migrations to run; the registry by default (tests may pass a prefix of it). */
  migrations?: readonly GuildkitMigration[];
  /**
   * Seals secret settings at rest (`createSecretBox({ keys })` of `@guildkit/core`, keyed from
   * `GUILDKIT_SECRET_KEY`): config loaders on the store, `migrate()` and `secrets.rotate()` use it.
   */
  secretBox?: SecretBox | null;
  /** What wakes `webhooks.waitForEvents` in every set of ports the store builds (see `StorePortOptions`). */
  webhookWakeups?: StorePortOptions["webhookWakeups"];
  /** Runs once in `close()`, before the database handle is closed (e.g. release a `LISTEN` connection). */
  beforeClose?: () => Promise<void>;
}

/**
 * Builds a store around a dialect-configured kysely instance. Used by `createSqliteStore` and
 * `createPostgresStore` so both stay symmetrical; a store adds only what its technology alone has.
 */
export function assembleStore(
  kysely: Kysely<Database>,
  dialect: Dialect,
  options: AssembleStoreOptions = {},
): GuildkitStore {
  const clock = options.clock ?? systemClock;
  const secretBox = options.secretBox ?? null;
  const portOptions: StorePortOptions = { clock, secretBox, webhookWakeups: options.webhookWakeups };
  let closed: Promise<void> | null = null;
  return {
    dialect,
    kysely,
    ...createStorePorts(kysely, dialect, portOptions),
    async migrate(opts = {}) {
      opts.signal?.throwIfAborted();
      await options.beforeMigrate?.(kysely);
      return migrateToLatest(kysely, dialect, {
        clock,
        migrations: options.migrations,
        secretBox: opts.secretBox !== undefined ? opts.secretBox : secretBox,
        signal: opts.signal,
      });
    },
    pendingMigrations(opts = {}) {
      return pendingMigrations(kysely, dialect, { migrations: options.migrations, signal: opts.signal });
    },
    async ping(opts = {}) {
      opts.signal?.throwIfAborted();
      await sql`select 1`.execute(kysely);
    },
    async transaction(fn, opts = {}) {
      opts.signal?.throwIfAborted();
      return kysely.transaction().execute((trx) => fn(createStorePorts(trx, dialect, portOptions)));
    },
    close() {
      closed ??= (async () => {
        try {
          await options.beforeClose?.();
        } finally {
          await kysely.destroy();
        }
      })();
      return closed;
    },
  };
}
