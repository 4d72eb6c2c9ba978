import type { SecretBox } from "@guildkit/core";
import type {
  Clock,
  Database,
  Dialect,
  GuildkitStore,
  MembersTableOptions,
  StoreFeature,
} from "@guildkit/store-kysely";
import type { Kysely } from "kysely";

/** A fresh test database with a store on it. */
export interface TestStoreHandle<TStore extends GuildkitStore = GuildkitStore> {
  store: TStore;
  /** A kysely instance on the same database, for backdoor reads and writes in tests. */
  db: Kysely<Database>;
  /** Closes the store and removes the database (temp file / schema). */
  teardown(): Promise<void>;
  /** SQLite: the database file (to read its raw bytes). */
  file?: string;
  /** Postgres: the schema the store works in (for `pg_dump --schema`). */
  schema?: string;
}

/** Options every test-store helper and conformance `setup` accepts. */
export interface TestStoreOptions {
  /** Run `store.migrate()` before handing the store over (default `true`). */
  migrate?: boolean;
  /** Clock the store stamps rows with (default: the wall clock). */
  clock?: Clock;
  /**
   * The box the store seals secrets with (default: `testSecretBox()`, on `TEST_SECRET_KEY`);
   * `null` builds a store without a key.
   */
  secretBox?: SecretBox | null;
  /** The features the store serves (default: every feature). */
  features?: readonly StoreFeature[];
  /** The host's member table (default: the seed system's `members`). */
  members?: MembersTableOptions;
  /** Runs on the fresh database before the store migrates, e.g. to create the host's users table. */
  prepare?: (db: Kysely<Database>) => Promise<void>;
}

/** What a case file's `define` function receives. */
export interface StoreCaseContext {
  dialect: Dialect;
  /**
   * A fresh database for the current test (migrated unless `{ migrate: false }`), torn down when the
   * test finishes. Call it inside `it(…)`.
   */
  fresh(options?: TestStoreOptions): Promise<TestStoreHandle>;
  /**
   * The host member table this run's stores use (the harness's `members` option), `null` on the
   * default `members` shape. `fresh()` builds its stores on it.
   */
  hostMembers: HostMembersShape | null;
}

/**
 * A host's own member table for a conformance run: the store's `members` option and the DDL that
 * creates the table on a fresh database (per dialect).
 */
export interface HostMembersShape {
  members: MembersTableOptions & { table: string; id: string; discordUserId: string };
  create(db: Kysely<Database>, dialect: Dialect): Promise<void>;
}

/** One feature's conformance cases. */
export interface StoreCases {
  /** Feature name, used as the `describe` title, e.g. `foundation`, `role-sync`. */
  feature: string;
  /** Registers the cases with vitest's `it` (inside a `describe` the harness opens). */
  define(ctx: StoreCaseContext): void;
}

/**
 * Declares a feature's conformance cases (`src/cases/<feature>.ts`); register it in
 * `src/cases/index.ts`.
 *
 * @example
 * export const roleSyncCases = defineStoreCases("role-sync", ({ fresh }) => {
 *   it("a claimed member is not claimable again before its lease expires", async () => {
 *     const { store, db } = await fresh();
 *     // … act through store.roleSync, read back through db …
 *   });
 * });
 */
export function defineStoreCases(feature: string, define: (ctx: StoreCaseContext) => void): StoreCases {
  return { feature, define };
}
