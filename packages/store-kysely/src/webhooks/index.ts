import { systemScheduler } from "@guildkit/core/system";
import {
  createPollingWakeups,
  DEFAULT_POLL_INTERVAL_MS,
  type DefinitionIssue,
  WebhookDefinitionError,
} from "@guildkit/webhook-templates";
import type { Kysely } from "kysely";
import type { Clock, Dialect } from "../dialect";
import type { Database } from "../schema";
import { createWebhookStoreContext, type WebhookStoreOptions } from "./context";
import { createDeadLetters } from "./dead-letters";
import { createWebhookDefinitions } from "./definitions";
import { createWebhookOutbox } from "./outbox";
import { createWebhookPause } from "./pause";
import { createTriggerRepair } from "./repair";
import { createWebhookTableReads } from "./table-reads";

export * from "./catalog";
export type { WebhookStoreOptions } from "./context";
export type { DeadEvent, WebhookDeliveryStats } from "./dead-letters";
export type { DefinitionWriteOptions } from "./definitions";
export { type WebhookDialect, webhookDialect } from "./dialect";
export type { TriggerRepairReport } from "./repair";
export type { StoredWebhook } from "./rows";
export { createTableGuard, type TableGuard } from "./table-guard";

/** How often the default (polling) wake-ups look for due events. */
export { DEFAULT_POLL_INTERVAL_MS };

/**
 * The webhook store: definitions whose writes install, replace or drop their trigger in the same
 * transaction as the row (`definitions.ts`); the outbox port of `@guildkit/webhook-templates`
 * (`claim`, `complete`, `release`, `disableWebhook`, `waitForEvents` on the wake-ups the store
 * factory passes — `outbox.ts`); dead letters and redelivery (`dead-letters.ts`); the catalog reads
 * the admin needs (`table-reads.ts`); pause and resume (`pause.ts`); and the start-up trigger repair
 * (`repair.ts`). The SQL that
 * differs per dialect is in `dialect.ts`. No table guildkit owns (`reservedTables`, by default what
 * the migrations declare) can be a definition's table, a preview's source or a trigger's.
 */
export function createWebhookStore(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  options: WebhookStoreOptions = {},
) {
  const ctx = createWebhookStoreContext(db, dialect, clock, options);
  const wakeups = options.wakeups ?? createPollingWakeups({ scheduler: systemScheduler });
  return {
    ...createWebhookOutbox(ctx, wakeups),
    ...createWebhookDefinitions(ctx),
    ...createWebhookTableReads(ctx),
    ...createDeadLetters(ctx),
    ...createTriggerRepair(ctx),
    ...createWebhookPause(ctx),
  };
}

/** The webhook store port (`store.webhooks`). */
export type WebhookStore = ReturnType<typeof createWebhookStore>;

/** Re-exported so callers can tell a validation failure from a database error. */
export { type DefinitionIssue, WebhookDefinitionError };
