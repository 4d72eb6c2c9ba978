import type { OutboxWakeups } from "@guildkit/webhook-templates";
import type { Kysely } from "kysely";
import { encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import type { Database } from "../schema";
import { type WebhookDialect, webhookDialect } from "./dialect";
import { createTableGuard, type TableGuard } from "./table-guard";

/** Options of `createWebhookStore`. */
export interface WebhookStoreOptions {
  /** No webhook may watch these (default: every table the migrations declare). */
  reservedTables?: ReadonlySet<string>;
  /**
   * What wakes `waitForEvents` (`LISTEN/NOTIFY` on Postgres, polling on SQLite), given by the store
   * factory; polling on the system scheduler by default.
   */
  wakeups?: OutboxWakeups;
}

/** What every part of the webhook store shares. */
export interface WebhookStoreContext {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The dialect's webhook SQL. */
  sql: WebhookDialect;
  clock: Clock;
  guard: TableGuard;
  /** A time as the columns store it. */
  t(date: Date): Date | string;
  /** Runs `fn` in a transaction (or in the one `db` already is). */
  tx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}

/** Builds the shared context. */
export function createWebhookStoreContext(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  options: WebhookStoreOptions,
): WebhookStoreContext {
  return {
    db,
    dialect,
    sql: webhookDialect(dialect),
    clock,
    guard: createTableGuard(options.reservedTables),
    t: (date) => encodeTime(dialect, date),
    tx: (fn) => (db.isTransaction ? fn(db) : db.transaction().execute(fn)),
  };
}
