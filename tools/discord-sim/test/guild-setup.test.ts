import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ALICE,
  CHANNEL,
  GUILD,
  HIGH_ROLE,
  type Json,
  MEMBER_ROLE,
  REDIRECT,
  readJson,
  startWorld,
  UA,
  type World,
} from "./helpers";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.sim.close();
});

const MANAGE_ROLES = 1n << 28n;
const ADMINISTRATOR = 1n << 3n;
const rolePath = (role: string, user = ALICE) => `/guilds/${GUILD}/members/${user}/roles/${role}`;

describe("GET /guilds/{guild}", () => {
  it("returns the guild object with its owner and roles, and the approximate counts with with_counts", async () => {
    const res = await w.bot(`/guilds/${GUILD}`);
    expect(res.status).toBe(200);
    const guild = await readJson(res);
    expect(guild).toMatchObject({ id: GUILD, name: "Test Guild", owner_id: expect.stringMatching(/^\d+$/) });
    expect(guild.roles.map((r: Json) => r.name)).toEqual([
      "@everyone",
      "Member",
      "Peer",
      "Test App",
      "Admin",
    ]);
    expect(guild).not.toHaveProperty("approximate_member_count");
    const counted = await readJson(w.bot(`/guilds/${GUILD}?with_counts=true`));
    expect(counted.approximate_member_count).toBe(3); // alice, bob and the bot
  });

  it("answers 404 10004 for a guild the bot is not in, like one that does not exist", async () => {
    w.sim.seed.guild({ id: GUILD, botInGuild: false });
    for (const path of [`/guilds/${GUILD}`, "/guilds/1100000000000000999"]) {
      const res = await w.bot(path);
      expect(res.status, path).toBe(404);
      expect(await readJson(res)).toEqual({ message: "Unknown Guild", code: 10004 });
    }
  });

  it("answers 403 50001 on the guild's other routes once the bot has left, and serves them again when it is back", async () => {
    w.sim.seed.guild({ id: GUILD, botInGuild: false });
    expect(w.sim.inspect.member(GUILD, w.app.botUserId)).toBeNull();
    for (const path of [`/guilds/${GUILD}/roles`, `/guilds/${GUILD}/members/${ALICE}`]) {
      const res = await w.bot(path);
      expect(res.status, path).toBe(403);
      expect(await readJson(res)).toEqual({ message: "Missing Access", code: 50001 });
    }
    w.sim.seed.guild({ id: GUILD, botInGuild: true });
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
  });
});

describe("the bot's member, roles and permissions", () => {
  it("GET /guilds/{guild}/members/{bot} lists the bot's managed role; GET roles shows its permission bits", async () => {
    const bot = await readJson(w.bot(`/guilds/${GUILD}/members/${w.app.botUserId}`));
    expect(bot.user).toMatchObject({ id: w.app.botUserId, bot: true });
    expect(bot.roles).toHaveLength(1);
    const roles: Json[] = await readJson(w.bot(`/guilds/${GUILD}/roles`));
    const botRole = roles.find((r) => r.id === bot.roles[0]);
    expect(botRole).toMatchObject({ managed: true, position: 10, tags: { bot_id: w.app.botUserId } });
    expect(BigInt(botRole.permissions) & MANAGE_ROLES).toBe(MANAGE_ROLES);
    const everyone = roles.find((r) => r.id === GUILD);
    expect(everyone).toMatchObject({ name: "@everyone", position: 0, managed: false });
    expect(everyone.permissions).toMatch(/^\d+$/);
  });

  it("answers 403 50013 to a role change when the bot lacks Manage Roles, even below its own role", async () => {
    w.sim.seed.guild({ id: GUILD, botPermissions: String(1n << 10n) });
    const res = await w.bot(rolePath(MEMBER_ROLE), { method: "PUT" });
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "Missing Permissions", code: 50013 });
    expect(w.sim.inspect.member(GUILD, ALICE)?.roles).toEqual([]);
  });

  it("takes Manage Roles from any role the bot holds, or from @everyone, or from ADMINISTRATOR", async () => {
    w.sim.seed.guild({ id: GUILD, botPermissions: "0", everyonePermissions: String(MANAGE_ROLES) });
    expect((await w.bot(rolePath(MEMBER_ROLE), { method: "PUT" })).status).toBe(204);
    w.sim.seed.guild({ id: GUILD, botPermissions: String(ADMINISTRATOR), everyonePermissions: "0" });
    expect((await w.bot(rolePath(MEMBER_ROLE), { method: "DELETE" })).status).toBe(204);
  });

  it("ADMINISTRATOR does not lift the hierarchy: a role above the bot's stays 50013", async () => {
    w.sim.seed.guild({ id: GUILD, botPermissions: String(ADMINISTRATOR) });
    const res = await w.bot(rolePath(HIGH_ROLE), { method: "PUT" });
    expect(res.status).toBe(403);
    expect((await readJson(res)).code).toBe(50013);
  });

  it("lets the guild owner's bot manage any unmanaged role without any permission, but nobody a managed one", async () => {
    w.sim.seed.guild({ id: GUILD, ownerId: w.app.botUserId, botPermissions: "0", everyonePermissions: "0" });
    expect((await w.bot(rolePath(HIGH_ROLE), { method: "PUT" })).status).toBe(204);
    const booster = w.sim.seed.role({ guildId: GUILD, name: "Server Booster", position: 2, managed: true });
    const res = await w.bot(rolePath(booster.id), { method: "PUT" });
    expect(res.status).toBe(403);
    expect((await readJson(res)).code).toBe(50013);
  });

  it("answers 403 50013 to GET /channels/{channel}/webhooks without Manage Webhooks", async () => {
    expect((await w.bot(`/channels/${CHANNEL}/webhooks`)).status).toBe(200);
    w.sim.seed.guild({ id: GUILD, botPermissions: String(MANAGE_ROLES) });
    const res = await w.bot(`/channels/${CHANNEL}/webhooks`);
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "Missing Permissions", code: 50013 });
  });

  it("answers 403 50001 to List Guild Members when the application's Server Members intent is off", async () => {
    expect((await w.bot(`/guilds/${GUILD}/members?limit=5`)).status).toBe(200);
    w.sim.seed.application({ clientId: w.app.clientId, membersIntent: false });
    const res = await w.bot(`/guilds/${GUILD}/members?limit=5`);
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "Missing Access", code: 50001 });
    // Get Guild Member needs no privileged intent.
    expect((await w.bot(`/guilds/${GUILD}/members/${ALICE}`)).status).toBe(200);
  });
});

/**
 * What a setup doctor sees for each misconfiguration, produced through the `/_sim` control API only
 * (a standalone simulator driven from another process).
 */
describe("each setup misconfiguration, produced through /_sim", () => {
  const control = (kind: string, body: unknown) =>
    fetch(`${w.sim.url}/_sim/seed/${kind}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${w.sim.apiBaseUrl}${path}`, {
      ...init,
      headers: { Authorization: `Bot ${token}`, "User-Agent": UA },
    });

  const cases: {
    name: string;
    seed: (app: World["app"]) => [string, unknown][];
    check: { method?: string; path: string; token?: string };
    expected: { status: number; body: unknown };
  }[] = [
    {
      name: "wrong bot token",
      seed: () => [],
      check: { path: "/users/@me", token: "MTIz.wrong.token" },
      expected: { status: 401, body: { message: "401: Unauthorized", code: 0 } },
    },
    {
      name: "bot not in the guild",
      seed: () => [["guild", { id: GUILD, botInGuild: false }]],
      check: { path: `/guilds/${GUILD}` },
      expected: { status: 404, body: { message: "Unknown Guild", code: 10004 } },
    },
    {
      name: "Server Members intent off",
      seed: (app) => [["application", { clientId: app.clientId, membersIntent: false }]],
      check: { path: `/guilds/${GUILD}/members?limit=1` },
      expected: { status: 403, body: { message: "Missing Access", code: 50001 } },
    },
    {
      name: "configured role above the bot's highest role",
      seed: () => [["guild", { id: GUILD, botRolePosition: 1 }]],
      check: { method: "PUT", path: rolePath(MEMBER_ROLE) },
      expected: { status: 403, body: { message: "Missing Permissions", code: 50013 } },
    },
    {
      name: "bot without Manage Roles",
      seed: () => [["guild", { id: GUILD, botPermissions: "3072" }]],
      check: { method: "PUT", path: rolePath(MEMBER_ROLE) },
      expected: { status: 403, body: { message: "Missing Permissions", code: 50013 } },
    },
  ];

  for (const { name, seed, check, expected } of cases) {
    it(`${name}: ${expected.status} ${JSON.stringify(expected.body)}`, async () => {
      const ok = await api(check.path, w.app.botToken, { method: check.method ?? "GET" });
      expect(ok.status, "before the misconfiguration").toBeLessThan(300);
      for (const [kind, body] of seed(w.app)) expect((await control(kind, body)).status).toBe(200);
      const res = await api(check.path, check.token ?? w.app.botToken, { method: check.method ?? "GET" });
      expect(res.status).toBe(expected.status);
      expect(await readJson(res)).toEqual(expected.body);
    });
  }

  it("wrong redirect URI: the application object lists the registered ones, and the token step answers invalid_request", async () => {
    expect(
      (await control("application", { clientId: w.app.clientId, redirectUris: [REDIRECT] })).status,
    ).toBe(200);
    const app = await readJson(api("/applications/@me", w.app.botToken));
    expect(app.redirect_uris).toEqual([REDIRECT]);
    const res = await fetch(`${w.sim.url}/api/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: "whatever",
        redirect_uri: "http://localhost:3000/login/discord/callback",
        client_id: w.app.clientId,
        client_secret: w.app.clientSecret,
      }),
    });
    expect(res.status).toBe(400);
    expect(await readJson(res)).toEqual({
      error: "invalid_request",
      error_description: 'Invalid "redirect_uri" in request.',
    });
  });
});
