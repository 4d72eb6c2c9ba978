import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, GUILD, readJson, startWorld, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.sim.close();
});

describe("GET /guilds/{guild}/members/{user}", () => {
  it("returns a guild member object with the user", async () => {
    const res = await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    expect(res.status).toBe(200);
    const member = await readJson(res);
    expect(member).toMatchObject({
      user: { id: ALICE, username: "alice", global_name: "Alice", discriminator: "0" },
      nick: "Ali",
      avatar: "fedcba9876543210fedcba9876543210",
      roles: [],
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      premium_since: null,
      communication_disabled_until: null,
    });
    expect(member.joined_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  it("distinguishes Unknown Member (10007), Unknown User (10013) and Unknown Guild (10004)", async () => {
    const notMember = await w.bot(`/guilds/${GUILD}/members/${CAROL}`);
    expect(notMember.status).toBe(404);
    expect(await readJson(notMember)).toEqual({ message: "Unknown Member", code: 10007 });
    const noUser = await w.bot(`/guilds/${GUILD}/members/1`);
    expect(await readJson(noUser)).toEqual({ message: "Unknown User", code: 10013 });
    const noGuild = await w.bot(`/guilds/999/members/${ALICE}`);
    expect(noGuild.status).toBe(404);
    expect(await readJson(noGuild)).toEqual({ message: "Unknown Guild", code: 10004 });
  });

  it("answers 400 50035 with a nested error for a non-snowflake id", async () => {
    const res = await w.bot(`/guilds/${GUILD}/members/alice`);
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.code).toBe(50035);
    expect(body.message).toBe("Invalid Form Body");
    expect(body.errors.user_id._errors[0].code).toBe("NUMBER_TYPE_COERCE");
  });

  it("answers 401 code 0 without a token and with a bad one", async () => {
    const none = await w.raw(`/api/v10/guilds/${GUILD}/members/${ALICE}`);
    expect(none.status).toBe(401);
    expect(await readJson(none)).toEqual({ message: "401: Unauthorized", code: 0 });
    const bad = await w.raw(`/api/v10/guilds/${GUILD}/members/${ALICE}`, {
      headers: { Authorization: "Bot nope" },
    });
    expect(bad.status).toBe(401);
  });

  it("answers 403 50001 to a bot that is not in the guild", async () => {
    const other = w.sim.seed.application({ name: "Other" });
    const res = await w.raw(`/api/v10/guilds/${GUILD}/members/${ALICE}`, {
      headers: { Authorization: `Bot ${other.botToken}` },
    });
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "Missing Access", code: 50001 });
  });

  it("answers 405 to a method the route does not have", async () => {
    const res = await w.bot(`/guilds/${GUILD}/members/${ALICE}`, { method: "POST" });
    expect(res.status).toBe(405);
    expect(await readJson(res)).toEqual({ message: "405: Method Not Allowed", code: 0 });
  });
});

describe("GET /guilds/{guild}/members", () => {
  it("returns one member by default, the lowest user id first", async () => {
    const page = await readJson(w.bot(`/guilds/${GUILD}/members`));
    expect(page).toHaveLength(1);
    expect(page[0].user.id).toBe(ALICE);
  });

  it("pages through members in ascending numeric id order with limit and after", async () => {
    w.sim.seed.members({ guildId: GUILD, count: 2_500, idStart: 300000000000000000n });
    w.sim.seed.member({ guildId: GUILD, userId: "9999999999999999" }); // shorter id sorts first numerically
    const seen: string[] = [];
    let after = "0";
    for (;;) {
      const res = await w.bot(`/guilds/${GUILD}/members?limit=1000&after=${after}`);
      expect(res.status).toBe(200);
      const page: { user: { id: string } }[] = await readJson(res);
      seen.push(...page.map((m) => m.user.id));
      if (page.length < 1000) break;
      after = page[page.length - 1]?.user.id ?? "";
    }
    const total = 2_500 + 2 + 1 + 1; // bulk + alice, bob + the short id + the bot
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen[0]).toBe("9999999999999999");
    const sorted = [...seen].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(seen).toEqual(sorted);
  });

  it("answers 400 50035 for a limit outside 1..1000 or a bad after", async () => {
    for (const query of ["limit=0", "limit=1001", "limit=abc", "after=xyz"]) {
      const res = await w.bot(`/guilds/${GUILD}/members?${query}`);
      expect(res.status, query).toBe(400);
      const body = await readJson(res);
      expect(body.code).toBe(50035);
      expect(Object.keys(body.errors)).toEqual([query.split("=")[0]]);
    }
  });

  it("answers 403 50001 when the GUILD_MEMBERS intent is off for the guild", async () => {
    w.sim.seed.guild({ id: GUILD, membersIntent: false });
    const res = await w.bot(`/guilds/${GUILD}/members?limit=10`);
    expect(res.status).toBe(403);
    expect(await readJson(res)).toEqual({ message: "Missing Access", code: 50001 });
  });

  it("stops listing a member after removeMember", async () => {
    w.sim.seed.removeMember(GUILD, ALICE);
    const page: { user: { id: string } }[] = await readJson(w.bot(`/guilds/${GUILD}/members?limit=10`));
    expect(page.map((m) => m.user.id)).not.toContain(ALICE);
    expect(page.map((m) => m.user.id)).toContain(BOB);
    expect(w.sim.inspect.member(GUILD, ALICE)).toBeNull();
  });
});
