import {
  type Database,
  type Dialect,
  defineMigration,
  guildkitTables,
  installTrigger,
  listTables,
  listTriggers,
  MigrationError,
  migrateToLatest,
  migrations,
  UndeclaredTableError,
} from "@guildkit/store-kysely";
import { WebhookDefinitionError } from "@guildkit/webhook-templates";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { createSeedSystemDatabase, SEED_DISCORD_CONFIG } from "../fixtures/seed-system";

const URL = "https://discord.com/api/webhooks/123456789012345678/tok-en";
const definition = { url: URL, template: "{values}", operation: "INSERT" };

/** Tables a webhook must never watch, one per kind: settings, the event log, OAuth, bookkeeping. */
export const GUILDKIT_TABLE_SAMPLES = [
  "config_versions",
  "CONFIG_VERSIONS",
  "event_log",
  "oauth_states",
  "role_grants",
  "guildkit_migration",
  "webhook_outbox",
] as const;

const count = async (db: Kysely<Database>, table: string) =>
  Number(
    (await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n,
  );

/** A stored definition on config_versions, written past the guard (as an older version allowed). */
async function plantDefinition(db: Kysely<Database>, dialect: Dialect): Promise<string> {
  const inserted = await db
    .insertInto("discord_webhooks")
    .values({
      webhook_url: URL,
      message_template: "{values}",
      username: "",
      trigger_table: "config_versions",
      trigger_op: "INSERT",
      when_clause: "",
      enabled: dialect === "postgres" ? true : 1,
      mention_user_columns: "[]",
      created_at: new Date().toISOString(),
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(inserted.id);
}

const tableIssue = (error: unknown) => {
  expect(error).toBeInstanceOf(WebhookDefinitionError);
  return (error as WebhookDefinitionError).issues;
};

/** No table guildkit's migrations create can be a webhook's table or a preview's source. */
export const guildkitTableCases = defineStoreCases("guildkit tables", ({ fresh, dialect }) => {
  it("every table of a migrated database is declared by a migration: guildkit's own, or a host table", async () => {
    const { db } = await fresh();
    const owned = guildkitTables(migrations);
    const host = new Set(migrations.flatMap((m) => m.hostTables ?? []));
    const undeclared = (await listTables(db, dialect)).filter(
      (t) => !owned.has(t.toLowerCase()) && !host.has(t.toLowerCase()),
    );
    expect(undeclared).toEqual([]);
    expect(owned.has("config_versions") && owned.has("discord_config") && !owned.has("members")).toBe(true);
  });

  it("a migration that creates a table it does not declare fails, and the table is not left behind", async () => {
    const { db } = await fresh();
    const rogue = defineMigration({
      name: "999-rogue",
      feature: "foundation",
      tables: [],
      async up(mdb) {
        await mdb.schema.createTable("rogue_tokens").addColumn("token", "text").execute();
      },
    });
    const error = await migrateToLatest(db, dialect, { migrations: [...migrations, rogue] }).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe("999-rogue");
    expect((error as Error).cause).toBeInstanceOf(UndeclaredTableError);
    expect(await listTables(db, dialect)).not.toContain("rogue_tokens");
  });

  it("a definition naming a guildkit table is a WebhookDefinitionError at table, and nothing is written", async () => {
    const { store, db } = await fresh();
    for (const table of GUILDKIT_TABLE_SAMPLES) {
      const error = await store.webhooks.create({ ...definition, table }).catch((e) => e);
      expect(tableIssue(error)).toEqual([
        { path: ["table"], code: "table_reserved", message: expect.stringContaining("belongs to guildkit") },
      ]);
    }
    expect(await count(db, "discord_webhooks")).toBe(0);
    expect(await listTriggers(db, dialect)).toEqual([]);

    // nor may an existing definition be moved onto one
    const hook = await store.webhooks.create({ ...definition, template: "{email}", table: "members" });
    const moved = await store.webhooks
      .update(hook.id, { ...definition, table: "config_versions" })
      .catch((e) => e);
    expect(tableIssue(moved)[0]?.path).toEqual(["table"]);
    expect((await store.webhooks.get(hook.id))?.table).toBe("members");
    expect((await listTriggers(db, dialect)).map((t) => t.table)).toEqual(["members"]);
  });

  it("a guildkit table is never a preview source nor listed as watchable; the host's tables are", async () => {
    const { store } = await fresh();
    await store.configStore.save({ module: "probe", values: { token: "row-that-must-not-be-read" } });
    for (const table of GUILDKIT_TABLE_SAMPLES) {
      expect(tableIssue(await store.webhooks.newestRow(table).catch((e) => e))[0]?.code).toBe(
        "table_reserved",
      );
      expect(tableIssue(await store.webhooks.tableColumns(table).catch((e) => e))[0]?.path).toEqual([
        "table",
      ]);
    }
    const watchable = await store.webhooks.tables();
    expect(watchable).toContain("members");
    const owned = guildkitTables(migrations);
    expect(watchable.filter((t) => owned.has(t.toLowerCase()))).toEqual([]);
  });

  it("the start-up repair disables a stored definition on a guildkit table instead of installing its trigger", async () => {
    const { store, db } = await fresh();
    await plantDefinition(db, dialect);
    const report = await store.webhooks.repairTriggers();
    expect(report.installed).toEqual([]);
    expect(report.disabled).toEqual([
      { id: expect.any(String), reason: expect.stringContaining("belongs to guildkit") },
    ]);
    expect(await listTriggers(db, dialect)).toEqual([]);
  });

  it("migration 008 disables a definition planted on a guildkit table, drops its trigger and clears what it captured", async () => {
    const { store, db } = await fresh();
    // As a version before the guard allowed it: a definition and trigger on config_versions.
    const id = await plantDefinition(db, dialect);
    await installTrigger(db, dialect, { id, table: "config_versions", operation: "INSERT", when: null });
    await store.configStore.save({ module: "probe", values: { bot_token: "captured-plaintext-token" } });
    expect(await count(db, "webhook_outbox")).toBe(1);

    await sql`delete from guildkit_migration where name = '008-secrets'`.execute(db);
    expect((await store.migrate()).applied).toEqual(["008-secrets"]);

    const hook = await store.webhooks.get(id);
    expect(hook).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining("belongs to guildkit"),
    });
    expect(await listTriggers(db, dialect)).toEqual([]);
    const events = await db.selectFrom("webhook_outbox").select(["state", "old_row", "new_row"]).execute();
    expect(events).toEqual([{ state: "dead", old_row: null, new_row: null }]);
    const [logged] = await store.eventLog.list({ kind: "webhook.disabled" });
    expect(logged?.data).toMatchObject({ webhookId: id, table: "config_versions", eventsCleared: 1 });
    // the trigger is gone: a new settings row is not captured
    await store.configStore.save({ module: "probe", values: { bot_token: "another" } });
    expect(await count(db, "webhook_outbox")).toBe(1);
  });

  it("the legacy upgrade disables, with a recorded reason, a seed webhook on a guildkit table", async () => {
    const { store, db } = await fresh({ migrate: false });
    await createSeedSystemDatabase(db, dialect, { configShape: "key-value" });
    await db
      .insertInto("discord_webhooks")
      .values({
        id: 3,
        webhook_url: URL,
        message_template: "{key} = {value}",
        username: "",
        enabled: 1,
        trigger_table: "discord_config",
        trigger_op: "UPDATE",
        when_clause: "",
        trigger_event: null,
      } as never)
      .execute();
    await store.migrate();
    const hook = await store.webhooks.get("3");
    expect(hook).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining("discord_config belongs to guildkit"),
    });
    const migrated = await store.eventLog.list({ kind: "webhook.migrated" });
    // refused by the upgrade's plan itself (the trigger install and 008 would refuse it too)
    expect(migrated.find((e) => e.data?.webhookId === "3")?.data?.disabledReason).toMatch(
      /^upgrade from the legacy webhook: table: table discord_config belongs to guildkit/,
    );
    expect((await listTriggers(db, dialect)).filter((t) => t.table === "discord_config")).toEqual([]);
    await sql`update discord_config set value = 'changed' where key = 'guild_id'`.execute(db);
    expect(await count(db, "webhook_outbox")).toBe(0);
    expect(JSON.stringify(await store.eventLog.list({}))).not.toContain(SEED_DISCORD_CONFIG.bot_token);
  });
});
