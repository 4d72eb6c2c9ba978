import type { DatabaseSettings } from "@guildkit/config";
import { createPostgresStore, type PostgresStore } from "@guildkit/store-postgres";
import { createSqliteStore, type SqliteStore } from "@guildkit/store-sqlite";

/** The store the reference apps run on: SQLite or Postgres, chosen by `DATABASE_URL`. */
export type AppStore = SqliteStore | PostgresStore;

/** Opens the store the process settings name. The caller runs `migrate()` and `close()`. */
export async function openStore(database: DatabaseSettings): Promise<AppStore> {
  if (database.kind === "postgres") return createPostgresStore({ connectionString: database.url });
  return createSqliteStore({ filename: database.path });
}
