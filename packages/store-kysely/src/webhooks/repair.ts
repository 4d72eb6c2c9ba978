import { type IoOptions, webhookIdOfTrigger } from "@guildkit/webhook-templates";
import { dropTriggerNamed, inSavepoint, installTrigger, listTriggers } from "./catalog";
import type { WebhookStoreContext } from "./context";
import { decodeWebhook } from "./rows";

/** What {@link createTriggerRepair}'s `repairTriggers` did. */
export interface TriggerRepairReport {
  installed: string[];
  dropped: string[];
  disabled: { id: string; reason: string }[];
}

/** The start-up trigger repair. */
export function createTriggerRepair(ctx: WebhookStoreContext) {
  const { dialect, guard, t } = ctx;
  return {
    /**
     * Makes the triggers match the definitions (run at start-up): installs every enabled
     * definition's trigger again, drops guildkit triggers with no enabled definition, and disables
     * (with the reason) a definition that no longer fits its table.
     */
    async repairTriggers(io: IoOptions = {}): Promise<TriggerRepairReport> {
      io.signal?.throwIfAborted();
      return ctx.tx(async (trx) => {
        const report: TriggerRepairReport = { installed: [], dropped: [], disabled: [] };
        const rows = await trx.selectFrom("discord_webhooks").selectAll().execute();
        const defs = rows.map((r) => decodeWebhook(r as Record<string, unknown>));
        const enabled = new Set(defs.filter((d) => d.enabled).map((d) => d.id));
        for (const trigger of await listTriggers(trx, dialect)) {
          const id = webhookIdOfTrigger(trigger.name);
          if (id === null || !enabled.has(id)) {
            await dropTriggerNamed(trx, dialect, trigger);
            report.dropped.push(trigger.name);
          }
        }
        for (const d of defs.filter((x) => x.enabled)) {
          try {
            const target = { id: d.id, table: d.table, operation: d.operation, when: d.when };
            await inSavepoint(trx, "guildkit_repair", () =>
              installTrigger(trx, dialect, target, { reservedTables: guard.reserved }),
            );
            report.installed.push(d.id);
          } catch (err) {
            const reason = `the trigger could not be installed at start-up: ${(err as Error).message}`;
            await trx
              .updateTable("discord_webhooks")
              .set({ enabled: ctx.sql.bool(false), disabled_reason: reason, updated_at: t(ctx.clock.now()) })
              .where("id", "=", d.id)
              .execute();
            report.disabled.push({ id: d.id, reason });
          }
        }
        return report;
      });
    },
  };
}
