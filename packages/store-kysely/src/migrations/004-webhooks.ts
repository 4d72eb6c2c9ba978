import {
  conditionsToWhen,
  LEGACY_TRIGGERS,
  type LegacyCondition,
  planLegacyWebhook,
  type TableColumn,
} from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { encodeTime } from "../codec";
import {
  dropTriggerNamed,
  inSavepoint,
  installTrigger,
  listTriggers,
  tableColumns,
} from "../webhooks/catalog";
import { webhookDialect } from "../webhooks/dialect";
import { addColumnIfMissing, columnTypes, indexExists, tableExists } from "./ddl";
import { recordMigrationEvent } from "./event";
import { defineMigration } from "./types";

/**
 * Webhook notifications fired by SQL triggers: `discord_webhooks` in the new model (the seed
 * system's columns kept and reused), the `webhook_outbox`, the Postgres enqueue function, and the
 * upgrade of a seed-system database — `trigger_event` filters and `discord_webhook_conditions`
 * folded into WHEN conditions by the core's `planLegacyWebhook` (`OLD.` for DELETE; ANDed with a
 * `when_clause`; anything the grammar rejects disables its webhook with a recorded reason), legacy
 * triggers dropped, guildkit triggers installed — each in a savepoint, so a trigger the database
 * refuses disables that webhook (with the database's message) instead of failing the upgrade.
 * Conditions whose webhook no longer exists are written to the event log before their table is
 * dropped. Idempotent: legacy rows are upgraded once (those without `created_at`).
 */
export const webhooks = defineMigration({
  name: "004-webhooks",
  feature: "webhooks",
  // The seed system's conditions table (folded in, then dropped) and its old queue are guildkit's too.
  tables: ["discord_webhooks", "webhook_outbox", "discord_webhook_conditions", "discord_webhook_queue"],
  async up(db, { dialect, now, ownedTables }) {
    const t = columnTypes(dialect);
    const hadTable = await tableExists(db, dialect, "discord_webhooks");
    const w = webhookDialect(dialect).migration;
    if (!hadTable) {
      await w
        .addId(db.schema.createTable("discord_webhooks").ifNotExists(), { autoIncrement: true })
        .addColumn("webhook_url", "text", (c) => c.notNull())
        .addColumn("trigger_event", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("message_template", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("username", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("enabled", t.boolean, (c) => c.notNull().defaultTo(w.booleanDefault(true)))
        .addColumn("trigger_table", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("trigger_op", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("when_clause", "text", (c) => c.notNull().defaultTo(""))
        .execute();
    }
    for (const column of ["trigger_table", "trigger_op", "when_clause"]) {
      // Older seed databases lack these; the seed added them as NOT NULL DEFAULT ''.
      if (await addColumnIfMissing(db, dialect, "discord_webhooks", column, "text")) {
        await sql`update discord_webhooks set ${sql.ref(column)} = '' where ${sql.ref(column)} is null`.execute(
          db,
        );
      }
    }
    for (const column of ["avatar_url", "mention_user_columns", "disabled_reason"]) {
      await addColumnIfMissing(db, dialect, "discord_webhooks", column, "text");
    }
    await w.upgradeEnabledColumn(db);
    await addColumnIfMissing(db, dialect, "discord_webhooks", "created_at", t.timestamp);
    await addColumnIfMissing(db, dialect, "discord_webhooks", "updated_at", t.timestamp);

    const createdAt = w.outboxCreatedAtDefault;
    await w
      .addId(db.schema.createTable("webhook_outbox").ifNotExists(), { autoIncrement: false })
      .addColumn("webhook_id", t.bigint, (c) => c.notNull())
      .addColumn("op", "text", (c) => c.notNull())
      .addColumn("old_row", t.json)
      .addColumn("new_row", t.json)
      // The time of the data change: the column default on Postgres; on SQLite the trigger stamps it
      // (migration 007 reinstalls triggers written before it did).
      .addColumn("created_at", t.timestamp, (c) => (createdAt ? c.notNull().defaultTo(createdAt) : c))
      .addColumn("state", "text", (c) => c.notNull().defaultTo("pending"))
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_attempt_at", t.timestamp)
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", t.timestamp)
      .addColumn("message_id", "text")
      .addColumn("possible_duplicate", t.boolean, (c) => c.notNull().defaultTo(w.booleanDefault(false)))
      .addColumn("last_error", "text")
      .addColumn("dead_reason", "text")
      .addColumn("delivered_at", t.timestamp)
      .execute();
    if (!(await indexExists(db, dialect, "webhook_outbox_pending_idx"))) {
      // Partial: delivered and dead events drop out, so the claim stays fast whatever the history.
      await sql`create index webhook_outbox_pending_idx on webhook_outbox (webhook_id, id) where state = 'pending'`.execute(
        db,
      );
    }
    await w.installEnqueueFunction(db);

    await upgradeLegacy(db, dialect, now(), ownedTables);
  },
});

// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was written
type AnyDb = import("kysely").Kysely<any>;

async function upgradeLegacy(
  db: AnyDb,
  dialect: "sqlite" | "postgres",
  now: Date,
  ownedTables: ReadonlySet<string>,
): Promise<void> {
  // Legacy triggers go first, whatever else happens: they write to the old queue.
  for (const name of LEGACY_TRIGGERS) {
    for (const trigger of await listTriggers(db, dialect, name)) {
      if (trigger.name === name) await dropTriggerNamed(db, dialect, trigger);
    }
  }
  for (const trigger of await listTriggers(db, dialect, "discord_webhook_"))
    await dropTriggerNamed(db, dialect, trigger);

  const conditions = new Map<string, LegacyCondition[]>();
  const hasConditions = await tableExists(db, dialect, "discord_webhook_conditions");
  if (hasConditions) {
    const rows = await sql<{
      webhook_id: unknown;
      column_name: string;
      operator: string;
      value: string | null;
      logic: string | null;
    }>`
      select webhook_id, column_name, operator, value, logic from discord_webhook_conditions order by webhook_id, id`.execute(
      db,
    );
    for (const r of rows.rows) {
      const list = conditions.get(String(r.webhook_id)) ?? [];
      list.push({ columnName: r.column_name, operator: r.operator, value: r.value, logic: r.logic });
      conditions.set(String(r.webhook_id), list);
    }
  }

  const legacy = await sql<{
    id: unknown;
    webhook_url: string;
    trigger_event: string | null;
    message_template: string | null;
    username: string | null;
    enabled: unknown;
    trigger_table: string | null;
    trigger_op: string | null;
    when_clause: string | null;
  }>`select id, webhook_url, trigger_event, message_template, username, enabled, trigger_table, trigger_op, when_clause
     from discord_webhooks where created_at is null order by id`.execute(db);

  const columnCache = new Map<string, TableColumn[] | null>();
  for (const table of new Set(legacy.rows.map((r) => r.trigger_table || "member_events"))) {
    columnCache.set(
      table,
      /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table) ? await tableColumns(db, dialect, table) : null,
    );
  }
  const stamp = encodeTime(dialect, now);
  for (const row of legacy.rows) {
    const id = String(row.id);
    const plan = planLegacyWebhook({
      row: {
        id,
        webhookUrl: row.webhook_url,
        triggerEvent: row.trigger_event,
        messageTemplate: row.message_template ?? "",
        username: row.username,
        enabled: row.enabled === true || Number(row.enabled) === 1,
        triggerTable: row.trigger_table,
        triggerOp: row.trigger_op,
        whenClause: row.when_clause,
      },
      conditions: conditions.get(id) ?? [],
      columnsOf: (table) => columnCache.get(table) ?? null,
      // A legacy webhook on one of guildkit's tables (settings, OAuth state…) could post secrets.
      reservedTables: ownedTables,
    });
    let enabled = plan.enabled;
    let reason = plan.disabledReason;
    if (enabled && plan.table && plan.operation) {
      const target = { id, table: plan.table, operation: plan.operation, when: plan.when };
      try {
        // A refused CREATE TRIGGER aborts a Postgres transaction: only the savepoint keeps the
        // upgrade of the other webhooks going.
        await inSavepoint(db, "guildkit_legacy_webhook", () =>
          installTrigger(db, dialect, target, { reservedTables: ownedTables }),
        );
      } catch (err) {
        enabled = false;
        reason = `upgrade from the legacy webhook: the trigger could not be installed: ${(err as Error).message}`;
      }
    }
    await sql`update discord_webhooks set
        trigger_table = ${plan.table ?? ""}, trigger_op = ${plan.operation ?? ""}, when_clause = ${plan.when ?? ""},
        message_template = ${plan.template}, username = ${plan.username ?? ""},
        enabled = ${webhookDialect(dialect).bool(enabled)}, disabled_reason = ${reason},
        mention_user_columns = ${"[]"}, created_at = ${stamp}, updated_at = ${stamp}
      where id = ${row.id}`.execute(db);
    await recordMigrationEvent(db, dialect, now, {
      kind: "webhook.migrated",
      level: reason ? "warn" : "info",
      message: `webhook ${id} upgraded from the legacy model${reason ? ` and disabled: ${reason}` : ""}`,
      data: { webhookId: id, notes: plan.notes, disabledReason: reason },
    });
  }
  if (hasConditions) {
    // Conditions of no legacy webhook row would vanish with their table: record them first.
    const upgraded = new Set(legacy.rows.map((r) => String(r.id)));
    for (const [webhookId, list] of conditions) {
      if (upgraded.has(webhookId)) continue;
      const text = conditionsToWhen(list, "NEW").text;
      await recordMigrationEvent(db, dialect, now, {
        kind: "webhook.legacy_conditions_dropped",
        level: "warn",
        message: `legacy conditions of webhook ${webhookId}, which matches no legacy webhook row, were dropped with discord_webhook_conditions: ${text}`,
        data: { webhookId, conditions: list },
      });
    }
    await sql`drop table discord_webhook_conditions`.execute(db);
  }
}
