import {
  assertWatchableTable,
  type IoOptions,
  tableTriggerName,
  webhookIdOfTrigger,
} from "@guildkit/webhook-templates";
import type { Kysely } from "kysely";
import type { Database } from "../schema";
import { dropTriggerNamed, inSavepoint, listTriggers, tableColumns } from "./catalog";
import type { WebhookStoreContext } from "./context";
import { decodeWebhook, type StoredWebhook } from "./rows";
import { syncTableTrigger, triggerWebhooks } from "./table-triggers";

/** What {@link createTriggerRepair}'s `repairTriggers` did. */
export interface TriggerRepairReport {
  installed: string[];
  dropped: string[];
  disabled: { id: string; reason: string }[];
}

/** Ends a probe's savepoint (rolled back) once the DDL was accepted. */
class ProbeDone extends Error {}

const groupKey = (d: StoredWebhook) => `${d.operation} ${d.table}`;

/** The start-up trigger repair. */
export function createTriggerRepair(ctx: WebhookStoreContext) {
  const { dialect, guard, t } = ctx;

  const disable = async (trx: Kysely<Database>, report: TriggerRepairReport, id: string, why: string) => {
    const reason = `the trigger could not be installed at start-up: ${why}`;
    await trx
      .updateTable("discord_webhooks")
      .set({ enabled: ctx.sql.bool(false), disabled_reason: reason, updated_at: t(ctx.clock.now()) })
      .where("id", "=", id)
      .execute();
    report.disabled.push({ id, reason });
  };

  /** Why a definition cannot be served by its table's trigger (checked by the core), or `null`. */
  const misfit = async (trx: Kysely<Database>, d: StoredWebhook): Promise<string | null> => {
    try {
      assertWatchableTable(d.table, { reservedTables: guard.reserved });
      const columns = await tableColumns(trx, dialect, d.table);
      if (columns === null) return `table ${d.table} does not exist`;
      triggerWebhooks([{ ...d, when: d.when }], columns, d.operation);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  /**
   * Installs one table's trigger for one operation; when the database refuses it, finds the
   * definitions it refuses one by one (each alone, in a savepoint), disables them and installs the rest.
   */
  const installGroup = async (trx: Kysely<Database>, report: TriggerRepairReport, group: StoredWebhook[]) => {
    const [first] = group;
    if (!first) return;
    const sync = () =>
      syncTableTrigger(trx, dialect, first.table, first.operation, { reservedTables: guard.reserved });
    try {
      report.installed.push(...(await inSavepoint(trx, "guildkit_repair", sync)));
      return;
    } catch {
      // One of them is refused by the database: find which.
    }
    for (const d of group) {
      const alone = await inSavepoint(trx, "guildkit_repair", async () => {
        await syncTableTrigger(trx, dialect, d.table, d.operation, {
          reservedTables: guard.reserved,
          include: d,
          only: true,
        });
        throw new ProbeDone(); // a probe: rolled back either way
      }).catch((err: unknown) => err);
      if (!(alone instanceof ProbeDone)) await disable(trx, report, d.id, (alone as Error).message);
    }
    report.installed.push(...(await inSavepoint(trx, "guildkit_repair", sync).catch(() => [])));
  };

  return {
    /**
     * Makes the triggers match the definitions (run at start-up): drops guildkit triggers that serve
     * no enabled definition (and per-webhook triggers of before migration 011), disables (with the
     * reason) a definition that no longer fits its table, and installs again the trigger of every
     * table and operation the enabled definitions watch.
     */
    async repairTriggers(io: IoOptions = {}): Promise<TriggerRepairReport> {
      io.signal?.throwIfAborted();
      return ctx.tx(async (trx) => {
        const report: TriggerRepairReport = { installed: [], dropped: [], disabled: [] };
        const rows = await trx.selectFrom("discord_webhooks").selectAll().execute();
        const defs = rows.map((r) => decodeWebhook(r as Record<string, unknown>));
        const groups = new Map<string, StoredWebhook[]>();
        for (const d of defs.filter((x) => x.enabled)) {
          const why = await misfit(trx, d);
          if (why !== null) {
            await disable(trx, report, d.id, why);
            continue;
          }
          groups.set(groupKey(d), [...(groups.get(groupKey(d)) ?? []), d]);
        }
        const expected = new Set(
          [...groups.values()].flatMap((g) =>
            g[0] ? [`${g[0].table}\u0000${tableTriggerName(g[0].table, g[0].operation)}`] : [],
          ),
        );
        const enabled = new Set([...groups.values()].flat().map((d) => d.id));
        for (const trigger of await listTriggers(trx, dialect)) {
          const legacyId = webhookIdOfTrigger(trigger.name);
          if (expected.has(`${trigger.table}\u0000${trigger.name}`)) continue;
          await dropTriggerNamed(trx, dialect, trigger);
          // A served definition's own trigger of before 011 is replaced, not an orphan.
          if (legacyId === null || !enabled.has(legacyId)) report.dropped.push(trigger.name);
        }
        for (const group of groups.values()) await installGroup(trx, report, group);
        report.installed.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        return report;
      });
    },
  };
}
