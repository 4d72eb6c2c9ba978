import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import type { SecretBox } from "@guildkit/core";
import type { Clock, GuildkitStore, MembersTableOptions, StoreFeature } from "@guildkit/store-kysely";
import { sql } from "kysely";
import type { TestStoreHandle, TestStoreOptions } from "./define";
import { testSecretBox } from "./secret-box";

/** The database tests use when `DATABASE_URL` names no PostgreSQL database. */
export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * The function of `@guildkit/store-postgres` the helper calls. Pass the module itself:
 * `import * as postgres from "@guildkit/store-postgres"`.
 */
export interface PostgresTestAdapter<TStore extends GuildkitStore> {
  createPostgresStore(options: {
    connectionString: string;
    schema?: string;
    max?: number;
    clock?: Clock;
    secretBox?: SecretBox | null;
    features?: readonly StoreFeature[];
    members?: MembersTableOptions;
  }): TStore;
}

/** Where Postgres tests run, and whether they can. */
export interface PostgresTestTarget {
  /** The connection string (may hold a password: do not print it). */
  url: string;
  available: boolean;
  /** Why the tests are skipped, `null` when Postgres answers. */
  skipReason: string | null;
}

/** `DATABASE_URL` when it is a PostgreSQL URL, else {@link DEFAULT_TEST_DATABASE_URL}. */
export function postgresTestUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const url = env.DATABASE_URL;
  return url && /^postgres(ql)?:\/\//i.test(url) ? url : DEFAULT_TEST_DATABASE_URL;
}

function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/**
 * Checks that Postgres answers (a TCP connect to the URL's host and port). Outside CI an
 * unreachable server gives `{ available: false, skipReason }` and a warning; with `CI` set it
 * throws, so a CI run never passes by skipping.
 *
 * @example
 * const pg = await checkPostgres();
 * describe.skipIf(!pg.available)("my Postgres test", () => { … });
 */
export async function checkPostgres(
  options: {
    connectionString?: string;
    timeoutMs?: number;
    env?: Readonly<Record<string, string | undefined>>;
  } = {},
): Promise<PostgresTestTarget> {
  const env = options.env ?? process.env;
  const url = options.connectionString ?? postgresTestUrl(env);
  const parsed = new URL(url);
  const host = decodeURIComponent(parsed.hostname || "localhost").replace(/^\[|\]$/g, "");
  const port = Number(parsed.port || 5432);
  if (host.startsWith("/")) return { url, available: true, skipReason: null }; // unix socket: let the test connect
  const answered = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(options.timeoutMs ?? 2000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
  if (answered) return { url, available: true, skipReason: null };
  const where = `${host}:${port}`;
  if (isCi(env)) {
    throw new Error(
      `PostgreSQL does not answer at ${where} (from DATABASE_URL or the default ${DEFAULT_TEST_DATABASE_URL}); ` +
        "CI is set, so the Postgres tests fail instead of being skipped. Start PostgreSQL or fix DATABASE_URL.",
    );
  }
  const skipReason =
    `PostgreSQL does not answer at ${where}; start it (database "test", user postgres) or set DATABASE_URL ` +
    "to run these tests (with CI=true they fail instead of being skipped)";
  console.warn(`[store-testkit] skipping Postgres tests: ${skipReason}`);
  return { url, available: false, skipReason };
}

/**
 * A store on a fresh schema (`gk_<random>`) of the test database, sealing secrets with
 * `testSecretBox()` unless given another `secretBox` (or `null`), migrated unless `{ migrate: false }`. `teardown()` drops the schema and closes the pool. Call
 * {@link checkPostgres} first to skip when no server answers.
 *
 * @example
 * import * as postgres from "@guildkit/store-postgres";
 * const { store, db, teardown } = await createPostgresTestStore(postgres);
 */
export async function createPostgresTestStore<TStore extends GuildkitStore>(
  adapter: PostgresTestAdapter<TStore>,
  options: TestStoreOptions & { connectionString?: string } = {},
): Promise<TestStoreHandle<TStore>> {
  const schema = `gk_${randomBytes(6).toString("hex")}`;
  const store = adapter.createPostgresStore({
    connectionString: options.connectionString ?? postgresTestUrl(),
    schema,
    max: 4,
    clock: options.clock,
    secretBox: options.secretBox === undefined ? testSecretBox() : options.secretBox,
    features: options.features,
    members: options.members,
  });
  const teardown = async () => {
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.kysely);
    } finally {
      await store.close();
    }
  };
  try {
    await sql`create schema ${sql.id(schema)}`.execute(store.kysely);
    await options.prepare?.(store.kysely);
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await teardown().catch(() => {});
    throw error;
  }
  return { store, db: store.kysely, teardown, schema };
}
