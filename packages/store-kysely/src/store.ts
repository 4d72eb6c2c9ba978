import type { SecretBox } from "@guildkit/core";
import { type Kysely, sql } from "kysely";
import { type Clock, type Dialect, systemClock } from "./dialect";
import { resolveFeatures, type StoreFeature } from "./features";
import { type MembersTable, type MembersTableOptions, resolveMembersTable } from "./members-table/shape";
import { type MigrationReport, migrateToLatest, pendingMigrations } from "./migrations/run";
import type { GuildkitMigration } from "./migrations/types";
import { createStorePorts, type StorePortOptions, type StorePorts } from "./ports";
import type { Database } from "./schema";
import { createFeatureCheck, guardFeaturePorts } from "./store-check";

/** What every store has besides its ports. */
export interface StoreCore<TFeature extends StoreFeature = StoreFeature> {
  readonly dialect: Dialect;
  /** The kysely instance (typed with the reference schema), for queries no port covers. */
  readonly kysely: Kysely<Database>;
  /** The features this store serves (its `features` option; every feature by default). */
  readonly features: readonly TFeature[];
  /** Where the members are: the `members` option with its defaults applied. */
  readonly membersTable: MembersTable;
  /**
   * Applies pending migrations of the store's features (or of `opts.features`); safe on every start
   * (see `migrateToLatest`). A later call with more features runs their migrations. Plaintext
   * secrets are sealed with the store's `secretBox` (or `opts.secretBox`); without either, a
   * database holding some fails with `SecretKeyRequiredError` and nothing changes.
   */
  migrate(opts?: {
    signal?: AbortSignal;
    secretBox?: SecretBox | null;
    features?: readonly StoreFeature[];
  }): Promise<MigrationReport>;
  /**
   * The migrations `migrate()` would apply for the store's features, in order (empty when up to
   * date). Read-only; readiness checks use it: a process on an unmigrated database is not ready.
   */
  pendingMigrations(opts?: { signal?: AbortSignal }): Promise<string[]>;
  /**
   * Checks that the database has run every migration the store's features need. The feature ports
   * run the same check before their first query (once per store), so a store opened on a database
   * missing its features' tables rejects with the same error instead of a driver's "no such table".
   *
   * @throws {@link StoreNotMigratedError} naming the features and the migrations to run.
   */
  assertMigrated(opts?: { signal?: AbortSignal }): Promise<void>;
  /** One round trip to the database (health checks). */
  ping(opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * The database server's clock (`clock_timestamp()` on Postgres, the host's on SQLite): the one
   * clock every process on the database shares, e.g. for a worker whose own clock is off.
   */
  databaseTime(opts?: { signal?: AbortSignal }): Promise<Date>;
  /**
   * Runs `fn` in a database transaction with every port bound to it: all its writes commit
   * together or none does.
   */
  transaction<T>(
    fn: (ports: StorePorts<TFeature>) => Promise<T>,
    opts?: { signal?: AbortSignal },
  ): Promise<T>;
  /** Closes the database handle / pool the store was given. Idempotent. */
  close(): Promise<void>;
}

/**
 * A store: the core plus the ports of its features (every feature by default). Both `SqliteStore`
 * and `PostgresStore` are one.
 */
export type GuildkitStore<TFeature extends StoreFeature = StoreFeature> = StoreCore<TFeature> &
  StorePorts<TFeature>;

/** Options of {@link assembleStore}. */
export interface AssembleStoreOptions<TFeature extends StoreFeature = StoreFeature> {
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
  /**
   * The features to serve (`role-sync`, `login`, `webhooks`, `speedbump`): the store has only their
   * ports, and `migrate()` creates only their tables. Every feature by default.
   */
  features?: readonly TFeature[];
  /** The host's member table, when it is not the seed system's `members` (see `MembersTableOptions`). */
  members?: MembersTableOptions;
}

/**
 * Builds a store around a dialect-configured kysely instance. Used by `createSqliteStore` and
 * `createPostgresStore` so both stay symmetrical; a store adds only what its technology alone has.
 */
export function assembleStore<TFeature extends StoreFeature = StoreFeature>(
  kysely: Kysely<Database>,
  dialect: Dialect,
  options: AssembleStoreOptions<TFeature> = {},
): GuildkitStore<TFeature> {
  const clock = options.clock ?? systemClock;
  const secretBox = options.secretBox ?? null;
  const features = resolveFeatures(options.features);
  const members = resolveMembersTable(options.members);
  const portOptions: StorePortOptions<TFeature> = {
    clock,
    secretBox,
    webhookWakeups: options.webhookWakeups,
    features,
    members,
  };
  const check = createFeatureCheck(kysely, dialect, { features, migrations: options.migrations });
  // Shared by the store's ports and those of every transaction: checked once, on the first call.
  const verified = { verified: false };
  const portsOn = (db: Kysely<Database>) =>
    guardFeaturePorts(
      createStorePorts(db, dialect, portOptions),
      db === kysely ? check : createFeatureCheck(db, dialect, { features, migrations: options.migrations }),
      verified,
    );
  let closed: Promise<void> | null = null;
  const core: StoreCore<TFeature> = {
    dialect,
    kysely,
    features,
    membersTable: members,
    async migrate(opts = {}) {
      opts.signal?.throwIfAborted();
      await options.beforeMigrate?.(kysely);
      const report = await migrateToLatest(kysely, dialect, {
        clock,
        migrations: options.migrations,
        secretBox: opts.secretBox !== undefined ? opts.secretBox : secretBox,
        features: opts.features ?? features,
        members,
        signal: opts.signal,
      });
      if (features.every((f) => (opts.features ?? features).includes(f))) verified.verified = true;
      return report;
    },
    pendingMigrations(opts = {}) {
      return pendingMigrations(kysely, dialect, {
        migrations: options.migrations,
        features,
        signal: opts.signal,
      });
    },
    async assertMigrated(opts = {}) {
      await check.assert(opts);
      verified.verified = true;
    },
    async ping(opts = {}) {
      opts.signal?.throwIfAborted();
      await sql`select 1`.execute(kysely);
    },
    async databaseTime(opts = {}) {
      opts.signal?.throwIfAborted();
      const { rows } =
        dialect === "postgres"
          ? await sql<{ t: Date | string }>`select clock_timestamp() as t`.execute(kysely)
          : await sql<{ t: string }>`select strftime('%Y-%m-%dT%H:%M:%fZ', 'now') as t`.execute(kysely);
      return new Date(rows[0]!.t);
    },
    async transaction(fn, opts = {}) {
      opts.signal?.throwIfAborted();
      return kysely.transaction().execute((trx) => fn(portsOn(trx)));
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
  return Object.assign(core, portsOn(kysely)) as GuildkitStore<TFeature>;
}
