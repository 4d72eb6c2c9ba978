import type { WorkerSettings } from "@guildkit/config";
import type { PostgresStore } from "@guildkit/store-postgres";
import type { SqliteStore } from "@guildkit/store-sqlite";
import { type Logger, openStore as openWorkerStore } from "@guildkit/worker";

/** The store the reference apps run on: SQLite or Postgres, chosen by `DATABASE_URL`. */
export type AppStore = SqliteStore | PostgresStore;

/**
 * `openStore` of `@guildkit/worker` (the store `DATABASE_URL` names, sealing secrets with the keys
 * of `GUILDKIT_SECRET_KEY`), typed as the concrete store it builds: the server uses what only a
 * concrete store has (`kysely`, `transaction`, the dialect's extras).
 */
export function openStore(
  settings: Pick<WorkerSettings, "database" | "secretKeys">,
  opts: { logger?: Pick<Logger, "warn" | "info"> } = {},
): Promise<AppStore> {
  return openWorkerStore(settings, opts) as Promise<AppStore>;
}
