import { setTimeout as delay } from "node:timers/promises";
import type { WorkerSettings } from "@guildkit/config";
import { createSecretBox } from "@guildkit/core";
import {
  createPostgresStore,
  isConnectionError,
  type PostgresConnectionEvent,
  type PostgresStore,
} from "@guildkit/store-postgres";
import { createSqliteStore, type SqliteStore } from "@guildkit/store-sqlite";
import type { Logger } from "./logger";

/** The store the reference apps run on: SQLite or Postgres, chosen by `DATABASE_URL`. */
export type AppStore = SqliteStore | PostgresStore;

/** Whether `error` means the database is away (unreachable, restarting, connection lost): retry later, answer 503. */
export const isDatabaseUnavailable: (error: unknown) => boolean = isConnectionError;

/** Writes a Postgres connection event (a dropped idle connection, LISTEN lost/restored) to the process log. */
export function logConnectionEvent(
  logger: Pick<Logger, "warn" | "info">,
  event: PostgresConnectionEvent,
): void {
  const { level, message, kind, ...fields } = event;
  const { error, ...rest } = fields as { error?: Error };
  logger[level]({ kind, ...rest, ...(error ? { err: error } : {}) }, message);
}

/**
 * Opens the store the process settings name (`DATABASE_URL`), sealing secret settings with the
 * keys of `GUILDKIT_SECRET_KEY` (the first seals, every one opens). The caller runs `migrate()` (or
 * {@link migrateWhenReachable}) and `close()`. With `logger`, Postgres connection trouble the
 * store handles by itself is logged (warn; `info` once LISTEN is back).
 */
export async function openStore(
  settings: Pick<WorkerSettings, "database" | "secretKeys">,
  opts: { logger?: Pick<Logger, "warn" | "info"> } = {},
): Promise<AppStore> {
  const secretBox = createSecretBox({ keys: settings.secretKeys });
  const { database } = settings;
  const { logger } = opts;
  if (database.kind === "postgres") {
    return createPostgresStore({
      connectionString: database.url,
      secretBox,
      ...(logger ? { onConnectionEvent: (event) => logConnectionEvent(logger, event) } : {}),
    });
  }
  return createSqliteStore({ filename: database.path, secretBox });
}

/** The first wait before migrating again while the database is away; it doubles up to 5 s. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

/**
 * `store.migrate()` at start, waiting for the database: while it is unreachable (a process started
 * before its database, or during a restart) the attempt is logged and retried — 0.5 s, doubling to
 * 5 s — instead of exiting. Any other failure (a broken migration) rejects. Resolves `false` when
 * `signal` aborts first.
 */
export async function migrateWhenReachable(
  store: Pick<AppStore, "migrate">,
  opts: {
    logger: Pick<Logger, "warn">;
    signal?: AbortSignal;
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  },
): Promise<boolean> {
  const sleep =
    opts.sleep ??
    ((ms: number, signal?: AbortSignal) =>
      delay(ms, undefined, signal ? { signal } : undefined).then(
        () => undefined,
        () => undefined,
      ));
  for (let attempt = 1, wait = FIRST_RETRY_MS; !opts.signal?.aborted; attempt++) {
    try {
      await store.migrate({ signal: opts.signal });
      return true;
    } catch (error) {
      if (opts.signal?.aborted) break;
      if (!isDatabaseUnavailable(error)) throw error;
      opts.logger.warn(
        { err: error, attempt, retryInMs: wait },
        "the database is unreachable; migrating again shortly",
      );
      await sleep(wait, opts.signal);
      wait = Math.min(wait * 2, MAX_RETRY_MS);
    }
  }
  return false;
}
