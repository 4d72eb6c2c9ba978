import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import type { AppStore } from "@guildkit/runtime";
import * as postgres from "@guildkit/store-postgres";
import * as sqlite from "@guildkit/store-sqlite";
import { checkPostgres, createPostgresTestStore, createSqliteTestStore } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { listen } from "./http-server";

// Issue 10, failure 1: secrets leave through webhooks. The attack, over real HTTP, on each database.

const HOOK = "1250000000000000001";
const TOKEN = "secret-token_1";
const URL = `https://discord.com/api/webhooks/${HOOK}/${TOKEN}`;
const CLIENT_SECRET = "attack-client-secret-value-0001";
const BOT_TOKEN = "attack.bot.token-value-0002";
const steal = { url: URL, template: "{values}", table: "config_versions", operation: "INSERT" };
const GUILDKIT_TABLES = [
  "config_versions",
  "Config_Versions",
  "event_log",
  "oauth_states",
  "guildkit_migration",
  "role_grants",
  "discord_webhooks",
  "webhook_outbox",
];

const pg = await checkPostgres();
let sim: DiscordSim;
beforeAll(async () => {
  sim = await startDiscordSim();
});
afterAll(async () => sim.close());

const databases = [
  { name: "SQLite", skip: false, open: () => createSqliteTestStore(sqlite) },
  {
    name: "Postgres",
    skip: !pg.available,
    open: () => createPostgresTestStore(postgres, { connectionString: pg.url }),
  },
] as const;

for (const database of databases) {
  describe.skipIf(database.skip)(
    `webhooks on guildkit's own tables are refused over HTTP (${database.name})`,
    () => {
      let store: AppStore;
      let base: string;
      let stop: () => Promise<void>;
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, text: await res.text() };
      };
      /** guildkit's triggers, read from the catalog: `{ name, table }`. */
      const triggers = async () =>
        (store.dialect === "postgres"
          ? await sql<{
              table: string;
            }>`select c.relname as "table" from pg_trigger t join pg_class c on c.oid = t.tgrelid
            join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema()
            and t.tgname like 'guildkit_webhook_%'`.execute(store.kysely)
          : await sql<{ table: string }>`select tbl_name as "table" from sqlite_master
            where type = 'trigger' and name like 'guildkit_webhook_%'`.execute(store.kysely)
        ).rows.map((r) => r.table);
      const count = async (table: string) =>
        Number(
          (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(store.kysely))
            .rows[0]?.n,
        );

      beforeEach(async () => {
        sim.reset();
        sim.seed.application({});
        sim.seed.guild({ id: "1100000000000000000" });
        sim.seed.channel({ guildId: "1100000000000000000", id: "1200000000000000001" });
        sim.seed.webhook({ channelId: "1200000000000000001", id: HOOK, token: TOKEN });
        const handle = await database.open();
        store = handle.store as AppStore;
        const { ctx } = await createTestContext({ store, settings: { discordApiBaseUrl: sim.apiBaseUrl } });
        const server = await listen(createServerApp(ctx));
        base = server.base;
        stop = async () => {
          await server.close();
          await handle.teardown();
        };
        const saved = await call("PUT", "/admin/api/config/discord", {
          client_secret: CLIENT_SECRET,
          bot_token: BOT_TOKEN,
        });
        expect(saved.status).toBe(200);
      });
      afterEach(async () => stop());

      it("a preview of config_versions is a 400 naming table, and shows no secret", async () => {
        for (const body of [{ definition: steal }, { definition: steal, sample: { values: "x" } }]) {
          const res = await call("POST", "/admin/api/webhooks/preview", body);
          expect(res.status).toBe(400);
          expect(JSON.parse(res.text)).toMatchObject({
            error: "invalid_definition",
            issues: [{ path: ["table"], code: "table_reserved" }],
          });
          for (const secret of [CLIENT_SECRET, BOT_TOKEN, "gk-sealed:"])
            expect(res.text).not.toContain(secret);
        }
      });

      it("a webhook on any guildkit table is a 400 naming table; nothing is written and nothing is posted", async () => {
        for (const table of GUILDKIT_TABLES) {
          const res = await call("POST", "/admin/api/webhooks", { ...steal, table });
          expect(res.status, table).toBe(400);
          expect(JSON.parse(res.text).issues).toEqual([
            {
              path: ["table"],
              code: "table_reserved",
              message: expect.stringContaining("belongs to guildkit"),
            },
          ]);
        }
        expect(await count("discord_webhooks")).toBe(0);
        expect(await triggers()).toEqual([]);

        // the next settings save fires nothing
        expect((await call("PUT", "/admin/api/config/discord", { bot_token: `${BOT_TOKEN}-2` })).status).toBe(
          200,
        );
        expect(await count("webhook_outbox")).toBe(0);
        expect(sim.inspect.messages(HOOK)).toEqual([]);
      });

      it("an existing webhook cannot be moved onto config_versions, while the host's members table stays watchable", async () => {
        const created = await call("POST", "/admin/api/webhooks", {
          ...steal,
          template: "{email}",
          table: "members",
        });
        expect(created.status).toBe(201);
        const { id } = JSON.parse(created.text) as { id: string };
        const moved = await call("PATCH", `/admin/api/webhooks/${id}`, {
          table: "config_versions",
          template: "{values}",
        });
        expect(moved.status).toBe(400);
        expect(JSON.parse(moved.text).issues[0]).toMatchObject({ path: ["table"], code: "table_reserved" });
        const row = await store.kysely
          .selectFrom("discord_webhooks")
          .select(["trigger_table", "message_template"])
          .where("id", "=", id)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ trigger_table: "members", message_template: "{email}" });
        expect(await triggers()).toEqual(["members"]);
      });
    },
  );
}
