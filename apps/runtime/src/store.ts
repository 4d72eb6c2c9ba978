import type { WorkerSettings } from "@guildkit/config";
import { createSecretBox } from "@guildkit/core";
import { createPostgresStore, type PostgresStore } from "@guildkit/store-postgres";
import { createSqliteStore, type SqliteStore } from "@guildkit/store-sqlite";

/** The store the reference apps run on: SQLite or Postgres, chosen by `DATABASE_URL`. */
export type AppStore = SqliteStore | PostgresStore;

/**
 * Opens the store the process settings name (`DATABASE_URL`), sealing secret settings with the
 * keys of `GUILDKIT_SECRET_KEY` (the first seals, every one opens). The caller runs `migrate()` and
 * `close()`.
 */
export async function openStore(
  settings: Pick<WorkerSettings, "database" | "secretKeys">,
): Promise<AppStore> {
  const secretBox = createSecretBox({ keys: settings.secretKeys });
  const { database } = settings;
  if (database.kind === "postgres") return createPostgresStore({ connectionString: database.url, secretBox });
  return createSqliteStore({ filename: database.path, secretBox });
}
