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
  /**
   * Creates the delivery rows of the changes the table triggers recorded (`webhook_event` →
   * `webhook_outbox`), on `conn` (a claim's transaction) or in a transaction of its own; returns
   * how many. Reads first, so that nothing is locked when there is nothing to move.
   */
  fanOut(conn?: Kysely<Database>): Promise<number>;
}

/** Builds the shared context. */
export function createWebhookStoreContext(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  options: WebhookStoreOptions,
): WebhookStoreContext {
  const webhookSql = webhookDialect(dialect);
  return {
    db,
    dialect,
    sql: webhookSql,
    clock,
    guard: createTableGuard(options.reservedTables),
    t: (date) => encodeTime(dialect, date),
    tx: (fn) => (db.isTransaction ? fn(db) : db.transaction().execute(fn)),
    async fanOut(conn) {
      const on = conn ?? db;
      if (!(await webhookSql.hasUnsentChanges(on))) return 0;
      const move = (trx: Kysely<Database>) => webhookSql.runClaim(trx, (t) => webhookSql.fanOut(t));
      return on.isTransaction ? move(on) : on.transaction().execute(move);
    },
  };
}
