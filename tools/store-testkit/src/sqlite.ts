import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SecretBox } from "@guildkit/core";
import type { Clock, GuildkitStore, MembersTableOptions, StoreFeature } from "@guildkit/store-kysely";
import type { TestStoreHandle, TestStoreOptions } from "./define";
import { testSecretBox } from "./secret-box";

/**
 * The two functions of `@guildkit/store-sqlite` the helper calls. Pass the module itself:
 * `import * as sqlite from "@guildkit/store-sqlite"`. (The testkit does not import the store
 * packages, since they run its suite: that would be a dependency cycle.)
 */
export interface SqliteTestAdapter<TDatabase, TStore extends GuildkitStore> {
  openSqliteDatabase(filename: string): TDatabase;
  createSqliteStore(options: {
    database: TDatabase;
    clock?: Clock;
    secretBox?: SecretBox | null;
    features?: readonly StoreFeature[];
    members?: MembersTableOptions;
  }): TStore;
}

/**
 * A store on a fresh SQLite database in a new temp file (WAL, like production), sealing secrets with
 * `testSecretBox()` unless given another `secretBox` (or `null`), migrated unless
 * `{ migrate: false }`. `teardown()` closes it and deletes the file.
 *
 * @example
 * import * as sqlite from "@guildkit/store-sqlite";
 * const { store, db, teardown } = await createSqliteTestStore(sqlite);
 */
export async function createSqliteTestStore<TDatabase, TStore extends GuildkitStore>(
  adapter: SqliteTestAdapter<TDatabase, TStore>,
  options: TestStoreOptions = {},
): Promise<TestStoreHandle<TStore>> {
  const dir = mkdtempSync(join(tmpdir(), "guildkit-store-"));
  const store = adapter.createSqliteStore({
    database: adapter.openSqliteDatabase(join(dir, "test.sqlite")),
    clock: options.clock,
    secretBox: options.secretBox === undefined ? testSecretBox() : options.secretBox,
    features: options.features,
    members: options.members,
  });
  const teardown = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await options.prepare?.(store.kysely);
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await teardown();
    throw error;
  }
  return { store, db: store.kysely, teardown, file: join(dir, "test.sqlite") };
}
