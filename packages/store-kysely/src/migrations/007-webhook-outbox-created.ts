import type { Operation } from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { inSavepoint, installTrigger } from "../webhooks/catalog";
import { recordMigrationEvent } from "./event";
import { defineMigration } from "./types";

/**
 * Outbox events on SQLite carry their creation time: the triggers stamp `created_at` (Postgres has
 * always filled it from the column's `now()` default). This reinstalls the trigger of every enabled
 * webhook on SQLite, so that triggers written before stamp it too — each in a savepoint; a trigger
 * that no longer installs keeps its old version (the start-up repair deals with it) and is logged
 * as `webhook.trigger_not_reinstalled`. Events written before keep a NULL `created_at`. Nothing to
 * do on Postgres. Idempotent.
 */
export const webhookOutboxCreated = defineMigration({
  name: "007-webhook-outbox-created",
  feature: "webhooks",
  tables: [],
  async up(db, { dialect, now, ownedTables }) {
    if (dialect !== "sqlite") return;
    const webhooks = await sql<{
      id: unknown;
      trigger_table: string;
      trigger_op: string;
      when_clause: string | null;
    }>`select id, trigger_table, trigger_op, when_clause from discord_webhooks where enabled = 1 order by id`.execute(
      db,
    );
    for (const w of webhooks.rows) {
      const id = String(w.id);
      try {
        await inSavepoint(db, "guildkit_outbox_created", () =>
          installTrigger(
            db,
            dialect,
            {
              id,
              table: w.trigger_table,
              operation: w.trigger_op.toUpperCase() as Operation,
              when: w.when_clause || null,
            },
            { reservedTables: ownedTables },
          ),
        );
      } catch (err) {
        const reason = (err as Error).message;
        await recordMigrationEvent(db, dialect, now(), {
          kind: "webhook.trigger_not_reinstalled",
          level: "warn",
          message: `webhook ${id}: its trigger could not be reinstalled to stamp created_at (${reason}); the previous trigger is kept`,
          data: { webhookId: id, reason },
        });
      }
    }
  },
});
