import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { type ConsoleLogin, postForm, signIn } from "./admin-helpers";
import { createTestContext } from "./helpers";

let ctx: ServerContext;
let sim: DiscordSim;
let teardown: () => Promise<void>;
let server: ReturnType<typeof createServerApp>;
let login: ConsoleLogin;
let roles: { paid: string; gold: string; silver: string; everyone: string; bot: string };

beforeEach(async () => {
  sim = await startDiscordSim();
  ({ ctx, teardown } = await createTestContext({
    settings: { discordApiBaseUrl: sim.apiBaseUrl, discordCdnBaseUrl: sim.cdnBaseUrl },
  }));
  const app = sim.seed.application({});
  const guild = sim.seed.guild({
    botUserId: app.botUserId,
    botRolePosition: 10,
    botRoleId: "1500000000000000009",
  });
  roles = {
    paid: sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 }).id,
    gold: sim.seed.role({ guildId: guild.id, name: "Gold", position: 3 }).id,
    silver: sim.seed.role({ guildId: guild.id, name: "Silver", position: 2 }).id,
    everyone: guild.id,
    bot: "1500000000000000009",
  };
  await createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec }).save({
    bot_token: app.botToken,
    guild_id: guild.id,
  });
  server = createServerApp(ctx);
  login = await signIn(server);
});
afterEach(async () => {
  await teardown();
  await sim.close();
});

const savedRules = async () =>
  (await ctx.store.configStore.latest({ module: "role_sync" }))?.values.rules ?? null;
const get = async (path: string) =>
  (await server.request(path, { headers: { cookie: login.cookie } })).text();

describe("the role sync rules form", () => {
  it("offers the guild's grantable roles as pickers (not @everyone, not the bot's managed role)", async () => {
    const page = await get("/admin/role-sync/rules");
    for (const id of [roles.paid, roles.gold, roles.silver]) expect(page).toContain(`id="rule-0-role-${id}"`);
    expect(page).toContain(`name="rule.1.value.0.role.${roles.gold}"`);
    expect(page).not.toContain(`role-${roles.everyone}"`);
    expect(page).not.toContain(`role-${roles.bot}"`);
    expect(page).toContain("the default rule applies");
  });

  it("shows each error beside its field and saves nothing", async () => {
    const res = await postForm(server, login, "/admin/role-sync/rules", {
      expectedVersion: "0",
      "rule.0.kind": "present",
      "rule.0.column": "Paid Status",
      [`rule.0.role.${roles.paid}`]: "on",
      "rule.1.kind": "map",
      "rule.1.column": "tier",
      "rule.1.value.0": "gold",
      "rule.1.value.1": "",
      [`rule.1.value.1.role.${roles.silver}`]: "on",
      "rule.1.value.2": "bronze",
      "rule.1.value.2.other": "12345",
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toMatch(/id="error-rule-0-column"[^>]*>must be a lower-case column name/);
    expect(page).toMatch(/id="error-rule-1-value-0"[^>]*>pick at least one role for &quot;gold&quot;/);
    expect(page).toMatch(/id="error-rule-1-value-1"[^>]*>give the value that grants these roles/);
    expect(page).toMatch(/id="error-rule-1-value-2"[^>]*>must be a Discord id/);
    // What was typed is drawn again, for fixing.
    expect(page).toContain('value="Paid Status"');
    expect(page).toMatch(new RegExp(`id="rule-0-role-${roles.paid}" checked`));
    expect(await savedRules()).toBeNull();
  });

  it("saves present and map rules picked from the guild's roles, then refuses a stale form", async () => {
    const res = await postForm(server, login, "/admin/role-sync/rules", {
      expectedVersion: "0",
      "rule.0.kind": "present",
      "rule.0.column": "payment_status",
      [`rule.0.role.${roles.paid}`]: "on",
      "rule.1.kind": "map",
      "rule.1.column": "tier",
      "rule.1.ignoreCase": "on",
      "rule.1.value.0": "gold",
      [`rule.1.value.0.role.${roles.gold}`]: "on",
      [`rule.1.value.0.role.${roles.paid}`]: "on",
      "rule.1.value.1": "silver",
      [`rule.1.value.1.role.${roles.silver}`]: "on",
      "rule.2.kind": "present",
      "rule.2.column": "",
    });
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get("location") ?? "")).toContain("Saved the rules as version 1");
    const expected = [
      { kind: "present", column: "payment_status", roleIds: [roles.paid] },
      {
        kind: "map",
        column: "tier",
        values: { gold: [roles.gold, roles.paid], silver: [roles.silver] },
        ignoreCase: true,
      },
    ];
    expect(await savedRules()).toEqual(expected);
    const page = await get("/admin/role-sync/rules");
    expect(page).toContain('name="expectedVersion" value="1"');
    expect(page).toMatch(new RegExp(`id="rule-1-value-0-role-${roles.gold}" checked`));
    expect(await get("/admin/role-sync")).toMatch(/"gold" gets <code>/);

    const stale = await postForm(server, login, "/admin/role-sync/rules", {
      expectedVersion: "0",
      "rule.0.kind": "present",
      "rule.0.column": "payment_status",
      [`rule.0.role.${roles.silver}`]: "on",
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("Someone saved the rules while you were editing");
    expect(await savedRules()).toEqual(expected);

    const back = await postForm(server, login, "/admin/role-sync/rules", {
      expectedVersion: "1",
      useDefault: "on",
    });
    expect(back.status).toBe(303);
    expect(
      await createConfigLoader({ store: ctx.store.configStore, spec: roleSyncConfigSpec }).load(),
    ).toEqual({
      rules: null,
    });
  });

  it("removes a rule when its box is ticked, and wants at least one rule", async () => {
    const res = await postForm(server, login, "/admin/role-sync/rules", {
      expectedVersion: "0",
      "rule.0.kind": "present",
      "rule.0.column": "payment_status",
      [`rule.0.role.${roles.paid}`]: "on",
      "rule.0.remove": "on",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/id="error-rules"[^>]*>add at least one rule/);
  });
});
