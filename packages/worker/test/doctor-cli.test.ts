import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { type DemoSeed, type DiscordSim, seedDemo, startDiscordSim } from "@guildkit/discord-sim";
import { createSqliteStore, type SqliteStore } from "@guildkit/store-sqlite";
import { TEST_SECRET_KEY, TEST_SECRET_KEY_2, testSecretBox } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./cli-harness";

// `guildkit doctor` as an operator runs it: a SQLite store holding the settings, discord-sim for Discord.
let dir: string;
let sim: DiscordSim;
let demo: DemoSeed;
let store: SqliteStore;
let env: Record<string, string>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "guildkit-doctor-"));
  sim = await startDiscordSim();
  demo = seedDemo(sim);
  const filename = join(dir, "db.sqlite");
  store = createSqliteStore({ filename, secretBox: testSecretBox() });
  await store.migrate();
  await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
    client_id: demo.application.clientId,
    client_secret: demo.application.clientSecret,
    bot_token: demo.application.botToken,
    guild_id: demo.guildId,
    role_ids: [demo.memberRoleId],
  });
  await sql
    .raw("create table orders (id integer primary key autoincrement, item text)")
    .execute(store.kysely);
  await store.webhooks.create({
    url: `https://discord.com/api/webhooks/${demo.webhook.id}/${demo.webhook.token}`,
    template: "order {id}: {item}",
    username: "Shop",
    table: "orders",
    operation: "INSERT",
  });
  env = {
    DATABASE_URL: filename,
    GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
    DISCORD_API_BASE_URL: sim.apiBaseUrl,
    PLURALKIT_BASE_URL: sim.pluralkitBaseUrl,
    PUBLIC_BASE_URL: "http://localhost:3000",
  };
});
afterEach(async () => {
  await store.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const saveDiscord = (values: Record<string, unknown>) =>
  createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save(values);

describe("guildkit doctor", () => {
  it("a healthy setup: one line per check, all passed, the invite URL, exit 0", async () => {
    const run = await runCli(["doctor", "--relay"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.filter((l) => /^(ok|FAIL|warn|skip) /.test(l)).map((l) => l.slice(0, 4))).toEqual(
      Array(14).fill("ok  "),
    );
    expect(run.stdout).toContain("ok    the database is migrated: every migration is applied.");
    expect(run.stdout).toContain("ok    the secret key opens the stored secrets");
    expect(run.stdout).toMatch(/^ok {4}role "Member" can be granted/m);
    expect(run.stdout).toMatch(/^ok {4}webhook "Shop" answers/m);
    expect(run.stdout).toMatch(/^ok {4}PluralKit answers/m);
    expect(run.stdout).toContain("All checks passed.");
    expect(run.stdout).toContain(
      "Bot invite URL: https://discord.com/oauth2/authorize?client_id=1300000000000000001&scope=bot&permissions=805306368",
    );
    expect(run.stdout).not.toContain(demo.application.botToken);
    expect(run.stdout).not.toContain(demo.webhook.token);
  });

  // The misconfigurations issue 13 names, each seeded alone: the failing line and its fix.
  it.each([
    {
      name: "wrong token",
      setup: () => saveDiscord({ bot_token: "MTIz.wrong.token" }),
      check: "bot token valid",
      fix: /Reset Token/,
    },
    {
      name: "bot not in guild",
      setup: () => void sim.seed.guild({ id: demo.guildId, botInGuild: false }),
      check: "the bot is in the guild",
      fix: /Invite it with https:\/\/discord\.com\/oauth2\/authorize\?client_id=1300000000000000001&scope=bot&permissions=805306368/,
    },
    {
      name: "intent off",
      setup: () => void sim.seed.application({ clientId: demo.application.clientId, membersIntent: false }),
      check: "Server Members intent enabled",
      fix: /turn on Server Members Intent/,
    },
    {
      name: "role above the bot",
      setup: () => void sim.seed.guild({ id: demo.guildId, botRolePosition: 1 }),
      check: 'role "Member" can be granted',
      fix: /drag "guildkit dev" above "Member"/,
    },
    {
      name: "missing Manage Roles",
      setup: () => void sim.seed.guild({ id: demo.guildId, botPermissions: String(1n << 29n) }),
      check: "the bot has Manage Roles",
      fix: /turn on Manage Roles/,
    },
    {
      name: "wrong redirect URI",
      setup: () =>
        void sim.seed.application({
          clientId: demo.application.clientId,
          redirectUris: ["http://localhost:3000/discord/callback"],
        }),
      check: "OAuth2 redirect URIs registered",
      fix: /Add Redirect, exactly .*: http:\/\/localhost:3000\/login\/discord\/callback;/,
    },
    {
      name: "webhook deleted",
      setup: () => void sim.seed.deleteWebhook(demo.webhook.id),
      check: 'webhook "Shop" answers',
      fix: /New Webhook/,
    },
    {
      name: "PluralKit unreachable",
      setup: () => {
        env.PLURALKIT_BASE_URL = "http://127.0.0.1:1/v2";
      },
      check: "PluralKit answers",
      fix: /PLURALKIT_BASE_URL/,
    },
  ])("$name: names the check and the fix, exit 1", async ({ setup, check, fix }) => {
    await setup();
    const run = await runCli(["doctor", "--relay"], env);
    expect(run.code).toBe(1);
    const failed = run.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(new RegExp(`^FAIL {2}${check.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
    const fixLine = run.stdout.split("\n")[run.stdout.split("\n").indexOf(failed[0] as string) + 1];
    expect(fixLine).toMatch(/^ {6}fix: /);
    expect(fixLine).toMatch(fix);
    expect(run.stdout).toContain("1 check(s) failed.");
  });

  it("--json prints the report: every check with its status and fix", async () => {
    sim.seed.guild({ id: demo.guildId, botRolePosition: 1 });
    const run = await runCli(["doctor", "--json"], env);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      checks: { id: string; status: string; fix: string | null }[];
      inviteUrl: string;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      "database:pass",
      "secret_key:pass",
      "settings:pass",
      "token:pass",
      "application:pass",
      "guild:pass",
      "members_intent:pass",
      "manage_roles:pass",
      "manage_webhooks:pass",
      "role:1300000000000000101:fail",
      "client_secret:pass",
      "redirect_uri:pass",
      "webhook:1:pass",
    ]);
    expect(report.checks.find((c) => c.status === "fail")?.fix).toMatch(/drag "guildkit dev" above "Member"/);
    expect(report.inviteUrl).toMatch(/permissions=805306368/);
  });

  it("secrets the key cannot open fail one line; nothing is called without a bot token", async () => {
    const other = createSqliteStore({
      filename: env.DATABASE_URL as string,
      secretBox: testSecretBox([TEST_SECRET_KEY_2, TEST_SECRET_KEY]),
    });
    await createConfigLoader({ store: other.configStore, spec: discordConfigSpec }).save({
      bot_token: "sealed.with.another-key",
    });
    await other.close();
    const run = await runCli(["doctor"], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL {2}the secret key opens the stored secrets: .*bot_token: is sealed with key/m,
    );
    expect(run.stdout).toContain("fix: Start with the key that sealed them first in GUILDKIT_SECRET_KEY");
    expect(run.stdout).toMatch(/^skip {2}bot token valid: needs a bot_token the secret key opens\.$/m);
    expect(run.stdout.split("\n").filter((l) => l.startsWith("FAIL"))).toHaveLength(1);
    expect(sim.inspect.requests({ route: "users_me" })).toEqual([]);
  });

  it("a database with migrations pending fails the first line with `guildkit migrate`", async () => {
    const fresh = join(dir, "fresh.sqlite");
    const run = await runCli(["doctor"], { ...env, DATABASE_URL: fresh });
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n")[0]).toMatch(
      /^FAIL {2}the database is migrated: \d+ migration\(s\) not applied/,
    );
    expect(run.stdout).toContain("fix: Run `guildkit migrate`");
  });

  it("a public URL that is not http(s) is a usage error", async () => {
    const run = await runCli(["doctor", "--public-url", "guild.example.org"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the public URL must be an http(s) URL");
  });
});
