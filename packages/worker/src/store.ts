import type { WorkerSettings } from "@guildkit/config";
import { createSecretBox, GuildkitError, type Scheduler } from "@guildkit/core";
import { systemScheduler } from "@guildkit/core/system";
import type { GuildkitStore } from "@guildkit/store-kysely";
import type { Logger } from "./logger";

/**
 * The store the worker runs on: every store port, as `createPostgresStore` of
 * `@guildkit/store-postgres` and `createSqliteStore` of `@guildkit/store-sqlite` return it.
 */
export type WorkerStore = GuildkitStore;

/** A Postgres connection event, as `@guildkit/store-postgres` reports it (`onConnectionEvent`). */
export interface ConnectionEvent {
  level: "warn" | "info";
  message: string;
  kind: string;
  [field: string]: unknown;
}

// Both stores are optional peers: loaded when used, so a host installs only the one it runs on.
const postgresLoad = await import("@guildkit/store-postgres").then(
  (module) => ({ module, error: null }),
  (error: unknown) => ({ module: null, error }),
);
const postgres = postgresLoad.module;

/**
 * Whether `error` means the database is away (unreachable, restarting, connection lost): retry
 * later, answer 503. `isConnectionError` of `@guildkit/store-postgres` when it is installed; SQLite
 * has no connection to lose.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return postgres?.isConnectionError(error) ?? false;
}

/** A store package that is not installed (`npm i @guildkit/store-postgres pg` or `@guildkit/store-sqlite better-sqlite3`). */
export class StoreNotInstalledError extends GuildkitError {
  readonly store: string;
  constructor(store: string, cause: unknown) {
    super(
      `DATABASE_URL names a database whose store is not installed: npm i ${store} ${store.endsWith("postgres") ? "pg" : "better-sqlite3"}`,
      { retryable: false, code: "store_not_installed", cause },
    );
    this.name = "StoreNotInstalledError";
    this.store = store;
  }
}

/** Writes a Postgres connection event (a dropped idle connection, LISTEN lost/restored) to the process log. */
export function logConnectionEvent(logger: Pick<Logger, "warn" | "info">, event: ConnectionEvent): void {
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
): Promise<WorkerStore> {
  const secretBox = createSecretBox({ keys: settings.secretKeys });
  const { database } = settings;
  const { logger } = opts;
  if (database.kind === "postgres") {
    if (!postgres) throw new StoreNotInstalledError("@guildkit/store-postgres", postgresLoad.error);
    return postgres.createPostgresStore({
      connectionString: database.url,
      secretBox,
      ...(logger ? { onConnectionEvent: (event) => logConnectionEvent(logger, event) } : {}),
    });
  }
  const sqlite = await import("@guildkit/store-sqlite").catch((error: unknown) => {
    throw new StoreNotInstalledError("@guildkit/store-sqlite", error);
  });
  return sqlite.createSqliteStore({ filename: database.path, secretBox });
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
  store: Pick<WorkerStore, "migrate">,
  opts: {
    logger: Pick<Logger, "warn">;
    signal?: AbortSignal;
    /** Waits between attempts (default: the system scheduler). */
    scheduler?: Pick<Scheduler, "sleep">;
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  },
): Promise<boolean> {
  const scheduler = opts.scheduler ?? systemScheduler;
  const sleep =
    opts.sleep ??
    ((ms: number, signal?: AbortSignal) =>
      scheduler.sleep(ms, signal ? { signal } : {}).then(
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
