import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import { beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { type ConsoleLogin, postForm, signIn, simContextPerTest } from "./admin-helpers";

const env = simContextPerTest();
let server: ReturnType<typeof createServerApp>;
let login: ConsoleLogin;
let roles: { paid: string; gold: string; silver: string; everyone: string; bot: string };

beforeEach(async () => {
  const { sim, ctx } = env;
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

/** The form fields of rule `i`, a `present` one: its column and the roles ticked. */
const presentFields = (i: number, column: string, roleIds: string[]) => ({
  [`rule.${i}.kind`]: "present",
  [`rule.${i}.column`]: column,
  ...Object.fromEntries(roleIds.map((id) => [`rule.${i}.role.${id}`, "on"])),
});

/** The form fields of rule `i`, a `map` one: its column and, per row, the value and the roles ticked. */
const mapFields = (i: number, column: string, rows: [string, string[]][]) => ({
  [`rule.${i}.kind`]: "map",
  [`rule.${i}.column`]: column,
  ...Object.fromEntries(
    rows.flatMap(([value, roleIds], j) => [
      [`rule.${i}.value.${j}`, value],
      ...roleIds.map((id) => [`rule.${i}.value.${j}.role.${id}`, "on"]),
    ]),
  ),
});

const savedRules = async () =>
  (await env.ctx.store.configStore.latest({ module: "role_sync" }))?.values.rules ?? null;
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
      ...presentFields(0, "Paid Status", [roles.paid]),
      ...mapFields(1, "tier", [
        ["gold", []],
        ["", [roles.silver]],
        ["bronze", []],
      ]),
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
      ...presentFields(0, "payment_status", [roles.paid]),
      ...mapFields(1, "tier", [
        ["gold", [roles.gold, roles.paid]],
        ["silver", [roles.silver]],
      ]),
      "rule.1.ignoreCase": "on",
      ...presentFields(2, "", []),
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
      ...presentFields(0, "payment_status", [roles.silver]),
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
      await createConfigLoader({ store: env.ctx.store.configStore, spec: roleSyncConfigSpec }).load(),
    ).toMatchObject({
      rules: null,
    });
  });

  it("removes a rule when its box is ticked, and wants at least one rule", async () => {
    const res = await postForm(server, login, "/admin/role-sync/rules", {
      expectedVersion: "0",
      ...presentFields(0, "payment_status", [roles.paid]),
      "rule.0.remove": "on",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/id="error-rules"[^>]*>add at least one rule/);
  });
});
