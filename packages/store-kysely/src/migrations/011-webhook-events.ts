import { OPERATIONS, type Operation } from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { inSavepoint } from "../webhooks/catalog";
import { webhookDialect } from "../webhooks/dialect";
import { syncTableTrigger } from "../webhooks/table-triggers";
import { addColumnIfMissing, columnTypes } from "./ddl";
import { recordMigrationEvent } from "./event";
import { defineMigration } from "./types";

/**
 * One event row per data change, whatever the number of webhooks on its table: creates
 * `webhook_event` (what the table triggers write; the stores turn it into per-webhook
 * `webhook_outbox` rows at claim time) and replaces the per-webhook triggers of every enabled
 * definition by one trigger per table and operation — each in a savepoint: a table whose trigger
 * no longer installs keeps its per-webhook triggers (they still write `webhook_outbox`, which the
 * outbox reads; the start-up repair deals with them) and is logged as
 * `webhook.trigger_not_reinstalled`. Also adds `discord_webhooks.paused_at` (a paused webhook's
 * events accumulate; claims skip it until it is resumed). Idempotent.
 */
export const webhookEvents = defineMigration({
  name: "011-webhook-events",
  feature: "webhooks",
  tables: ["webhook_event"],
  async up(db, { dialect, now, ownedTables }) {
    await webhookDialect(dialect).migration.createEventTable(db);
    // Paused webhooks (`store.webhooks.pause`): their trigger records, claims skip them.
    await addColumnIfMissing(db, dialect, "discord_webhooks", "paused_at", columnTypes(dialect).timestamp);
    const groups = await sql<{ trigger_table: string; trigger_op: string }>`
      select distinct trigger_table, upper(trigger_op) as trigger_op from discord_webhooks
      where enabled = ${webhookDialect(dialect).bool(true)} order by trigger_table, trigger_op`.execute(db);
    for (const g of groups.rows) {
      const operation = g.trigger_op as Operation;
      if (!OPERATIONS.includes(operation)) continue;
      try {
        await inSavepoint(db, "guildkit_webhook_events", () =>
          syncTableTrigger(db, dialect, g.trigger_table, operation, { reservedTables: ownedTables }),
        );
      } catch (err) {
        const reason = (err as Error).message;
        await recordMigrationEvent(db, dialect, now(), {
          kind: "webhook.trigger_not_reinstalled",
          level: "warn",
          message: `webhooks on ${g.trigger_table} (${operation}): the table's trigger could not be installed (${reason}); their previous triggers are kept`,
          data: { table: g.trigger_table, operation, reason },
        });
      }
    }
  },
});
