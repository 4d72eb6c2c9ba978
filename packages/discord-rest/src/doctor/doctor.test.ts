import { type DemoSeed, type DiscordSim, seedDemo, startDiscordSim } from "@guildkit/discord-sim";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatSetupReport, guildkitRedirectUris, runSetupChecks, type SetupCheckInput } from "./index";

// Every check runs over real HTTP against discord-sim; each row seeds one misconfiguration.
let sim: DiscordSim;
let demo: DemoSeed;

beforeEach(async () => {
  sim = await startDiscordSim();
  demo = seedDemo(sim);
});
afterEach(async () => {
  await sim.close();
});

function healthy(): SetupCheckInput {
  return {
    botToken: demo.application.botToken,
    clientId: demo.application.clientId,
    clientSecret: demo.application.clientSecret,
    guildId: demo.guildId,
    roleIds: [demo.memberRoleId],
    redirectUris: guildkitRedirectUris("http://localhost:3000"),
    webhooks: [
      {
        id: "1",
        name: "announcements",
        url: `${sim.apiBaseUrl}/webhooks/${demo.webhook.id}/${demo.webhook.token}`,
      },
    ],
    apiBaseUrl: sim.apiBaseUrl,
  };
}

const INVITE = /permissions=805306368/;

interface Row {
  name: string;
  seed?: () => void;
  input?: (base: SetupCheckInput) => Partial<SetupCheckInput>;
  check: string;
  status?: "fail" | "warn";
  fix: RegExp;
}

const rows: Row[] = [
  {
    name: "wrong bot token",
    input: () => ({ botToken: "not-the-token" }),
    check: "token",
    fix: /Reset Token.*bot_token/,
  },
  {
    name: "bot token missing",
    input: () => ({ botToken: null }),
    check: "token",
    fix: /save the token as the Discord setting bot_token/,
  },
  {
    name: "client id of another application",
    input: () => ({ clientId: "1300000000000009999" }),
    check: "application",
    fix: /save 1300000000000000001 as client_id/,
  },
  {
    name: "wrong client secret",
    input: () => ({ clientSecret: "wrong-secret" }),
    check: "client_secret",
    fix: /Reset Secret.*client_secret/,
  },
  {
    name: "redirect URI not registered",
    seed: () => sim.seed.application({ clientId: demo.application.clientId, redirectUris: [] }),
    check: "redirect_uri",
    fix: /Redirects → Add Redirect.*http:\/\/localhost:3000\/login\/discord\/callback and http:\/\/localhost:3000\/discord\/callback/,
  },
  {
    name: "wrong public URL",
    input: () => ({ redirectUris: guildkitRedirectUris("https://guild.example.org/") }),
    check: "redirect_uri",
    fix: /https:\/\/guild\.example\.org\/login\/discord\/callback.*PUBLIC_BASE_URL/,
  },
  {
    name: "bot not in the guild",
    seed: () => sim.seed.guild({ id: demo.guildId, botInGuild: false }),
    check: "guild",
    fix: INVITE,
  },
  {
    name: "wrong guild id",
    input: () => ({ guildId: "1300000000000000999" }),
    check: "guild",
    fix: /Copy Server ID/,
  },
  {
    name: "Server Members intent off",
    seed: () => sim.seed.application({ clientId: demo.application.clientId, membersIntent: false }),
    check: "members_intent",
    fix: /Privileged Gateway Intents → turn on Server Members Intent/,
  },
  {
    name: "no Manage Roles",
    seed: () => sim.seed.guild({ id: demo.guildId, botPermissions: "3072" }),
    check: "manage_roles",
    fix: /Roles → .* → Permissions → turn on Manage Roles.*permissions=805306368/,
  },
  {
    name: "no Manage Webhooks (relay off: a warning)",
    seed: () => sim.seed.guild({ id: demo.guildId, botPermissions: String(1n << 28n) }),
    check: "manage_webhooks",
    status: "warn",
    fix: /turn on Manage Webhooks/,
  },
  {
    name: "no Manage Webhooks with the relay",
    seed: () => sim.seed.guild({ id: demo.guildId, botPermissions: String(1n << 28n) }),
    input: () => ({ needsManageWebhooks: true }),
    check: "manage_webhooks",
    fix: /turn on Manage Webhooks/,
  },
  {
    name: "role above the bot",
    seed: () => sim.seed.guild({ id: demo.guildId, botRolePosition: 1 }),
    check: "role:1300000000000000101",
    fix: /drag ".*" above "Member"/,
  },
  {
    name: "role that does not exist",
    input: () => ({ roleIds: ["1300000000000000777"] }),
    check: "role:1300000000000000777",
    fix: /Copy Role ID.*role_ids/,
  },
  {
    name: "managed role",
    seed: () =>
      sim.seed.role({
        id: "1300000000000000103",
        guildId: demo.guildId,
        name: "Booster",
        position: 2,
        managed: true,
      }),
    input: () => ({ roleIds: ["1300000000000000103"] }),
    check: "role:1300000000000000103",
    fix: /a role you created instead of "Booster"/,
  },
  {
    name: "@everyone as a role",
    input: () => ({ roleIds: [demo.guildId] }),
    check: `role:1300000000000000100`,
    fix: /use a role you created/,
  },
  { name: "no role configured", input: () => ({ roleIds: [] }), check: "roles", fix: /role_ids/ },
  {
    name: "webhook deleted in Discord",
    seed: () => sim.seed.deleteWebhook(demo.webhook.id),
    check: "webhook:1",
    fix: /New Webhook → Copy Webhook URL.*"announcements"/,
  },
  {
    name: "webhook token wrong",
    input: () => ({
      webhooks: [
        { id: "1", name: "announcements", url: `${sim.apiBaseUrl}/webhooks/${demo.webhook.id}/wrong` },
      ],
    }),
    check: "webhook:1",
    fix: /copy the whole URL/,
  },
  {
    name: "webhook URL not Discord's",
    input: () => ({ webhooks: [{ id: "1", url: "https://example.org/hook" }] }),
    check: "webhook:1",
    fix: /Copy Webhook URL/,
  },
];

describe("runSetupChecks against discord-sim", () => {
  it("passes every check of a healthy setup and prints the invite URL", async () => {
    const report = await runSetupChecks(healthy());
    expect(report.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual([
      "token",
      "application",
      "guild",
      "members_intent",
      "manage_roles",
      "manage_webhooks",
      "role:1300000000000000101",
      "client_secret",
      "redirect_uri",
      "webhook:1",
    ]);
    expect(report.inviteUrl).toBe(
      "https://discord.com/oauth2/authorize?client_id=1300000000000000001&scope=bot&permissions=805306368&guild_id=1300000000000000100&disable_guild_select=true",
    );
    const text = formatSetupReport(report);
    expect(text).toMatch(
      /^ok +bot token valid: signed in as the bot guildkitdev \(1300000000000000001\)\.$/m,
    );
    expect(text).toContain("All checks passed.");
    // nothing was granted: the token probe spends no code
    expect(sim.inspect.oauthGrants()).toEqual([]);
  });

  it.each(rows)("names the fix: $name", async (row) => {
    row.seed?.();
    const base = healthy();
    const report = await runSetupChecks({ ...base, ...row.input?.(base) });
    const check = report.checks.find((c) => c.id === row.check);
    expect(check, `check ${row.check} in ${report.checks.map((c) => c.id).join(", ")}`).toBeDefined();
    expect(check?.status).toBe(row.status ?? "fail");
    expect(check?.fix).toMatch(row.fix);
    expect(report.ok).toBe(row.status === "warn");
    // one misconfiguration fails one check (the ones depending on it are skipped)
    const failing = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
    expect(failing).toEqual(row.status === "warn" ? [] : [row.check]);
    // the text output carries the fix and never a secret
    const text = formatSetupReport(report);
    expect(text).toContain(`fix: ${check?.fix}`);
    expect(text).not.toContain(demo.application.botToken);
    expect(text).not.toContain(demo.application.clientSecret);
    expect(text).not.toContain(demo.webhook.token);
  });
});
