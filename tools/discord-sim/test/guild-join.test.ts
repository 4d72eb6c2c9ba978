import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ALICE,
  BOB,
  CAROL,
  GUILD,
  HIGH_ROLE,
  MEMBER_ROLE,
  readJson,
  startWorld,
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
const KICK_MEMBERS = 1n << 1n;
const join = (userId: string, body: unknown) =>
  w.bot(`/guilds/${GUILD}/members/${userId}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const joinToken = (userId = CAROL, scopes = ["identify", "guilds.join"]) =>
  w.sim.seed.oauthGrant({ userId, scopes }).access_token;

describe("PUT /guilds/{guild}/members/{user} (Add Guild Member)", () => {
  it("adds the user with their roles and nick: 201 with the member, recorded in inspect.joins", async () => {
    w.sim.seed.guild({ id: GUILD, botPermissions: String(MANAGE_ROLES | (1n << 27n)) });
    const res = await join(CAROL, { access_token: joinToken(), roles: [MEMBER_ROLE], nick: "Caz" });
    expect(res.status).toBe(201);
    const member = await readJson(res);
    expect(member).toMatchObject({
      user: { id: CAROL, username: "carol" },
      roles: [MEMBER_ROLE],
      nick: "Caz",
      deaf: false,
      mute: false,
      joined_at: expect.stringMatching(/\+00:00$/),
    });
    expect(w.sim.inspect.member(GUILD, CAROL)?.roles).toEqual([MEMBER_ROLE]);
    expect(w.sim.inspect.joins()).toEqual([
      {
        at: w.clock.now(),
        guildId: GUILD,
        userId: CAROL,
        applicationId: w.app.clientId,
        roles: [MEMBER_ROLE],
        nick: "Caz",
      },
    ]);
    expect((await w.bot(`/guilds/${GUILD}/members/${CAROL}`)).status).toBe(200);
  });

  it("answers 204 without reading the body when the user is already a member, and changes nothing", async () => {
    const res = await join(ALICE, "not even json");
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(w.sim.inspect.member(GUILD, ALICE)).toMatchObject({ nick: "Ali", roles: [] });
    expect(w.sim.inspect.joins()).toEqual([]);
  });

  it("answers 403 50025 for a token that is unknown, another user's, without guilds.join, another app's, expired or revoked", async () => {
    const other = w.sim.seed.application({ name: "Other" });
    const expired = w.sim.seed.oauthGrant({ userId: CAROL, scopes: ["guilds.join"], expiresInSeconds: 1 });
    const revoked = joinToken();
    w.sim.seed.revokeAuthorization({ userId: CAROL });
    const tokens = {
      unknown: "no-such-token",
      "another user's": joinToken(BOB),
      "without guilds.join": joinToken(CAROL, ["identify"]),
      "another application's": w.sim.seed.oauthGrant({
        userId: CAROL,
        scopes: ["guilds.join"],
        clientId: other.clientId,
      }).access_token,
      revoked,
    };
    w.clock.advance(1_000);
    for (const [name, token] of Object.entries({ ...tokens, expired: expired.access_token })) {
      const res = await join(CAROL, { access_token: token });
      expect(res.status, name).toBe(403);
      expect(await readJson(res)).toEqual({ message: "Invalid OAuth2 access token", code: 50025 });
    }
    expect(w.sim.inspect.member(GUILD, CAROL)).toBeNull();
  });

  it("answers 403 40007 for a banned user", async () => {
    w.sim.seed.ban({ guildId: GUILD, userId: CAROL, reason: "spam" });
    const res = await join(CAROL, { access_token: joinToken() });
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "The user is banned from this guild.", code: 40007 });
    expect(w.sim.inspect.bans(GUILD)).toEqual([{ guildId: GUILD, userId: CAROL, reason: "spam" }]);
    w.sim.seed.unban(GUILD, CAROL);
    expect((await join(CAROL, { access_token: joinToken() })).status).toBe(201);
  });

  it("answers 400 30001 when the user is in their maximum number of guilds", async () => {
    w.sim.seed.user({ id: CAROL, username: "carol", otherGuildCount: 100 });
    const res = await join(CAROL, { access_token: joinToken() });
    expect(res.status).toBe(400);
    expect(await readJson(res)).toEqual({ message: "Maximum number of guilds reached (100)", code: 30001 });
    w.sim.seed.user({ id: CAROL, username: "carol", otherGuildCount: 100, maxGuilds: 200 });
    expect((await join(CAROL, { access_token: joinToken() })).status).toBe(201);
  });

  it("needs CREATE_INSTANT_INVITE (Discord's @everyone has it by default)", async () => {
    w.sim.seed.guild({ id: GUILD, everyonePermissions: "0" });
    const res = await join(CAROL, { access_token: joinToken() });
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "Missing Permissions", code: 50013 });
  });

  it("needs MANAGE_ROLES and the hierarchy for roles, MANAGE_NICKNAMES for a nick; an unknown role is 10011", async () => {
    const cases: [string, Record<string, unknown>, string | null, number][] = [
      ["roles without MANAGE_ROLES", { roles: [MEMBER_ROLE] }, "3072", 50013],
      ["a role above the bot's", { roles: [HIGH_ROLE] }, null, 50013],
      ["a nick without MANAGE_NICKNAMES", { nick: "Caz" }, null, 50013],
      ["an unknown role", { roles: ["123"] }, null, 10011],
    ];
    for (const [name, extra, botPermissions, code] of cases) {
      if (botPermissions) w.sim.seed.guild({ id: GUILD, botPermissions });
      const res = await join(CAROL, { access_token: joinToken(), ...extra });
      expect((await readJson(res)).code, name).toBe(code);
      w.sim.seed.guild({ id: GUILD, botPermissions: String(MANAGE_ROLES) });
    }
    expect(w.sim.inspect.member(GUILD, CAROL)).toBeNull();
  });

  it("answers 400 50035 without an access_token and 403 50001 when the bot is not in the guild", async () => {
    const missing = await join(CAROL, { roles: [] });
    expect(missing.status).toBe(400);
    expect((await readJson(missing)).errors.access_token._errors[0].code).toBe("BASE_TYPE_REQUIRED");
    w.sim.seed.guild({ id: GUILD, botInGuild: false });
    const res = await join(CAROL, { access_token: joinToken() });
    expect(res.status).toBe(403);
    expect((await readJson(res)).code).toBe(50001);
  });

  it("bans, unbans and inspects bans through /_sim", async () => {
    const post = (kind: string, body: unknown) =>
      fetch(`${w.sim.url}/_sim/seed/${kind}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(await readJson(post("ban", { guildId: GUILD, userId: ALICE }))).toEqual({
      guildId: GUILD,
      userId: ALICE,
      reason: null,
    });
    expect(w.sim.inspect.member(GUILD, ALICE)).toBeNull();
    expect(await readJson(fetch(`${w.sim.url}/_sim/inspect/bans?guildId=${GUILD}`))).toHaveLength(1);
    expect((await join(ALICE, { access_token: joinToken(ALICE) })).status).toBe(403);
    await post("unban", { guildId: GUILD, userId: ALICE });
    expect((await join(ALICE, { access_token: joinToken(ALICE) })).status).toBe(201);
  });

  it("reports joins through /_sim/inspect/joins", async () => {
    await join(CAROL, { access_token: joinToken() });
    const joins = await readJson(fetch(`${w.sim.url}/_sim/inspect/joins?guildId=${GUILD}`));
    expect(joins).toMatchObject([{ userId: CAROL, roles: [] }]);
  });
});

describe("DELETE /guilds/{guild}/members/{user} (Remove Guild Member)", () => {
  const kick = (userId: string, reason?: string) =>
    w.bot(`/guilds/${GUILD}/members/${userId}`, {
      method: "DELETE",
      headers: reason ? { "X-Audit-Log-Reason": encodeURIComponent(reason) } : {},
    });

  it("needs KICK_MEMBERS, which the bot's default role lacks", async () => {
    const res = await kick(ALICE);
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "Missing Permissions", code: 50013 });
  });

  it("kicks a member below the bot: 204, the member is gone, the decoded reason is recorded", async () => {
    w.sim.seed.guild({ id: GUILD, botPermissions: String(KICK_MEMBERS) });
    const res = await kick(ALICE, "membership lapsed ✓");
    expect(res.status).toBe(204);
    expect(w.sim.inspect.member(GUILD, ALICE)).toBeNull();
    expect(w.sim.inspect.kicks(GUILD)).toEqual([
      { at: w.clock.now(), guildId: GUILD, userId: ALICE, reason: "membership lapsed ✓" },
    ]);
    expect(await readJson(kick(ALICE))).toEqual({ message: "Unknown Member", code: 10007 });
    expect(await readJson(fetch(`${w.sim.url}/_sim/inspect/kicks?guildId=${GUILD}`))).toMatchObject([
      { userId: ALICE, reason: "membership lapsed ✓" },
    ]);
  });

  it("refuses a member whose highest role is not below the bot's, and the owner", async () => {
    w.sim.seed.guild({ id: GUILD, botPermissions: String(KICK_MEMBERS), ownerId: BOB });
    w.sim.seed.member({ guildId: GUILD, userId: ALICE, roles: [HIGH_ROLE] });
    for (const user of [ALICE, BOB]) {
      const res = await kick(user);
      expect(res.status, user).toBe(403);
      expect((await readJson(res)).code).toBe(50013);
    }
    expect(w.sim.inspect.kicks()).toEqual([]);
  });
});
