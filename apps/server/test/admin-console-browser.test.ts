import { existsSync, mkdirSync } from "node:fs";
import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import { sql } from "kysely";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { listen } from "./http";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const SHOTS = new URL("../docs/screenshots/", import.meta.url);
const HOOK = "1250000000000000001";
const HOOK_TOKEN = "browser-secret-token_1";

describe.skipIf(!hasChromium && !process.env.CI)("the admin console in Chromium", () => {
  let browser: Browser;
  let sim: DiscordSim;
  let ctx: ServerContext;
  let base: string;
  let page: Page;
  let seed: {
    app: ReturnType<DiscordSim["seed"]["application"]>;
    guild: ReturnType<DiscordSim["seed"]["guild"]>;
    role: ReturnType<DiscordSim["seed"]["role"]>;
    vip: ReturnType<DiscordSim["seed"]["role"]>;
  };
  const cleanup: (() => Promise<void>)[] = [];
  const violations: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    sim = await startDiscordSim();
    cleanup.push(() => sim.close());
    const app = sim.seed.application({});
    const guild = sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
    const role = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
    // Above the bot's role (10): granting it fails, which "Check setup" must say with the fix.
    const vip = sim.seed.role({ guildId: guild.id, name: "VIP", position: 20 });
    sim.seed.channel({ guildId: guild.id, id: "1200000000000000001" });
    sim.seed.webhook({ channelId: "1200000000000000001", id: HOOK, token: HOOK_TOKEN });
    const made = await createTestContext({
      settings: { discordApiBaseUrl: sim.apiBaseUrl, discordCdnBaseUrl: sim.cdnBaseUrl },
    });
    ctx = made.ctx;
    cleanup.push(made.teardown);
    await sql`create table orders (id integer primary key autoincrement, item text, qty integer)`.execute(
      ctx.store.kysely,
    );
    await sql`insert into orders (item, qty) values ('apple', 3)`.execute(ctx.store.kysely);
    // Two linked members, one paying: the dry run should plan one role to add.
    const members = sim.seed.members({ guildId: guild.id, count: 2, roles: () => [], avatars: false });
    for (const [i, m] of members.entries()) {
      await ctx.store.members.create({
        email: `m${i}@example.test`,
        discordUserId: m.userId,
        paymentStatus: i === 0 ? "active" : null,
      });
    }
    seed = { app, guild, role, vip };
    const server = await listen(createServerApp(ctx));
    cleanup.push(server.close);
    base = server.base;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const done of cleanup.reverse()) await done();
  });

  const shot = (name: string) => page.screenshot({ path: new URL(name, SHOTS).pathname, fullPage: true });

  it("signs in with the admin token for an HttpOnly, SameSite=Strict session cookie", async () => {
    await page.goto(`${base}/admin`);
    await page.waitForURL(`${base}/admin/login`);
    await page.fill("#admin-token", "wrong-token-0123456789");
    await page.click("#admin-sign-in");
    expect(await page.textContent("#login-error")).toContain("not the admin token");
    await page.fill("#admin-token", TEST_ADMIN_TOKEN);
    await page.click("#admin-sign-in");
    await page.waitForURL(`${base}/admin/settings`);
    const cookie = (await page.context().cookies(base)).find((c) => c.name === "gk_admin");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
  });

  it("shows a validation error beside the field, then saves and lists the version", async () => {
    const { app, guild, role } = seed;
    await page.fill("#field-discord-guild_id", "not-a-snowflake");
    await page.fill("#field-discord-sync_interval_hours", "500");
    await page.click("#save-discord");
    expect(await page.textContent("#error-discord-sync_interval_hours")).toContain("between 1 and 168");
    expect(await page.textContent("#error-discord-guild_id")).toBeTruthy();
    // The typed (bad) value is shown again, for fixing.
    expect(await page.inputValue("#field-discord-sync_interval_hours")).toBe("500");
    await shot("settings-validation.png");
    await page.fill("#field-discord-guild_id", guild.id);
    await page.fill("#field-discord-sync_interval_hours", "12");
    await page.fill("#field-discord-role_ids", role.id);
    await page.fill("#field-discord-bot_token", app.botToken);
    await page.click("#save-discord");
    await page.waitForURL(/saved=discord/);
    expect(await page.textContent("#notice")).toContain("Saved the discord settings");
    expect(await page.textContent("#history-discord")).toContain("Sync Interval (hours)");
    expect(await page.textContent("#history-discord")).toContain("Bot Token: secret changed");
    expect(await page.content()).not.toContain(app.botToken);
    // The secret is kept unless retyped: saving again without it changes nothing secret.
    expect(await page.getAttribute("#field-discord-bot_token", "placeholder")).toContain("unchanged");
  });

  it("builds a webhook with a WHEN condition, previews it live, sends a test that discord-sim receives", async () => {
    await page.goto(`${base}/admin/webhooks/new`);
    await page.fill("#wh-url", `https://discord.com/api/webhooks/${HOOK}/${HOOK_TOKEN}`);
    await page.fill("#wh-table", "orders");
    await page.fill("#wh-template", "{item} x{qty}");
    await page.fill("#wh-when", "NEW.qty >");
    // The script posts the form as it changes: the parser's position and expectation show up.
    await expect.poll(() => page.textContent("#preview-issues"), { timeout: 15_000 }).toContain("position");
    expect(await page.isVisible("#when-marker")).toBe(true);
    expect(await page.textContent("#wh-columns")).toContain("qty");
    await page.fill("#wh-when", "NEW.qty > 0");
    await expect.poll(() => page.textContent("#preview-message"), { timeout: 15_000 }).toBe("apple x3");
    await shot("webhook-editor.png");
    await page.click("#webhook-save");
    await page.waitForURL(/\/admin\/webhooks\/\d+\?notice=Saved/);
    await page.click("#webhook-test");
    await page.waitForSelector("#notice");
    expect(await page.textContent("#notice")).toContain("Test message sent");
    expect(sim.inspect.messages(HOOK).map((m) => m.content)).toEqual(["apple x3"]);
    expect(await page.content()).not.toContain(HOOK_TOKEN);
  });

  it("redelivers a dead letter from the webhooks page", async () => {
    await sql`insert into orders (item, qty) values ('pear', 2)`.execute(ctx.store.kysely);
    await sql`update webhook_outbox set state = 'dead', dead_reason = 'Discord answered 404 (Unknown Webhook)'`.execute(
      ctx.store.kysely,
    );
    const [dead] = await ctx.store.webhooks.listDead({});
    await page.goto(`${base}/admin/webhooks`);
    expect(await page.textContent(`#dead-${dead?.id}`)).toContain("Unknown Webhook");
    await page.click(`#redeliver-${dead?.id}`);
    expect(await page.textContent("#notice")).toContain(`Event ${dead?.id} is queued again`);
    expect(await ctx.store.webhooks.listDead({})).toEqual([]);
    expect(await page.isVisible("#no-dead")).toBe(true);
  });

  it("runs a dry-run plan: would add one role, nothing changed in Discord", async () => {
    await page.goto(`${base}/admin/role-sync`);
    await page.click("#show-roles");
    expect(await page.textContent("#guild-roles")).toContain("Paid");
    expect(await page.textContent("#guild-roles")).toContain("configured");
    await page.click("#dry-run");
    await page.waitForSelector("#plan-summary");
    expect(await page.textContent("#plan-summary")).toContain("Would add 1, remove 0, 0 not in the guild");
    expect(sim.inspect.roleChanges()).toEqual([]);
    await shot("role-sync-plan.png");
  });

  it("edits the rules with role pickers fed by the guild's roles: an error beside its field, then saved", async () => {
    const { role, vip } = seed;
    await page.goto(`${base}/admin/role-sync`);
    await page.click("#edit-rules");
    await page.waitForURL(`${base}/admin/role-sync/rules`);
    expect(await page.textContent("#rule-0-roles")).toContain("VIP");
    await page.fill("#rule-0-column", "Payment Status");
    await page.check(`#rule-0-role-${role.id}`);
    await page.check(`#rule-0-role-${vip.id}`);
    await page.click("#save-rules");
    expect(await page.textContent("#error-rule-0-column")).toContain("lower-case column name");
    expect(await page.isChecked(`#rule-0-role-${vip.id}`)).toBe(true);
    await shot("role-sync-rules.png");
    await page.fill("#rule-0-column", "payment_status");
    await page.click("#save-rules");
    await page.waitForURL(/\/admin\/role-sync\/rules\?notice=/);
    expect(await page.textContent("#notice")).toContain("Saved the rules as version 1");
    expect(await page.isChecked(`#rule-0-role-${role.id}`)).toBe(true);
    const saved = await ctx.store.configStore.latest({ module: "role_sync" });
    expect(saved?.values.rules).toEqual([
      { kind: "present", column: "payment_status", roleIds: [vip.id, role.id] },
    ]);
  });

  it("checks the setup from the settings page: the role above the bot fails, with the fix", async () => {
    const { vip } = seed;
    await page.goto(`${base}/admin/settings`);
    await page.click("#check-setup");
    await page.waitForSelector("#setup-checks");
    expect(await page.textContent("#check-token")).toContain("ok");
    const line = await page.textContent(`#check-role-${vip.id}`);
    expect(line).toContain('failed role "VIP" can be granted');
    expect(line).toContain('Fix: Server Settings → Roles, drag "guildkit sim app" above "VIP"');
    expect(await page.textContent("#setup-summary")).toMatch(/check\(s\) failed/);
    await page.locator("#setup").screenshot({ path: new URL("settings-check-setup.png", SHOTS).pathname });
  });

  it("lists the event log filtered by kind, shows the speedbump page, and signs out; no page broke the policy", async () => {
    await page.goto(`${base}/admin/speedbump`);
    expect(await page.textContent("#no-channels")).toContain("PluralKit has not been seen");
    // The stylesheet is a file allowed by the console's policy: it applied.
    expect(await page.evaluate("getComputedStyle(document.querySelector('nav')).display")).toBe("flex");
    await page.goto(`${base}/admin/events?kind=admin.`);
    expect(await page.textContent("#events")).toContain("admin.signed_in");
    expect(await page.textContent("#events")).not.toContain("config.saved");
    await page.click("#admin-logout");
    await page.waitForURL(`${base}/admin/login`);
    await page.goto(`${base}/admin/settings`);
    await page.waitForURL(`${base}/admin/login`);
    expect(violations).toEqual([]);
  });
});
