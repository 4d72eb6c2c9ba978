import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ALICE,
  CAROL,
  EQUAL_ROLE,
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

const rolePath = (role: string, user = ALICE, guild = GUILD) =>
  `/guilds/${guild}/members/${user}/roles/${role}`;

describe("PUT/DELETE /guilds/{guild}/members/{user}/roles/{role}", () => {
  it("adds and removes a role with 204 and records the URL-decoded audit-log reason", async () => {
    const reason = "paid member: renewed ✓ (order #42)";
    const put = await w.bot(rolePath(MEMBER_ROLE), {
      method: "PUT",
      headers: { "X-Audit-Log-Reason": encodeURIComponent(reason) },
    });
    expect(put.status).toBe(204);
    expect(await put.text()).toBe("");
    expect(w.sim.inspect.member(GUILD, ALICE)?.roles).toEqual([MEMBER_ROLE]);
    const del = await w.bot(rolePath(MEMBER_ROLE), { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(w.sim.inspect.member(GUILD, ALICE)?.roles).toEqual([]);
    expect(w.sim.inspect.roleChanges()).toEqual([
      { at: w.clock.now(), guildId: GUILD, userId: ALICE, roleId: MEMBER_ROLE, action: "add", reason },
      {
        at: w.clock.now(),
        guildId: GUILD,
        userId: ALICE,
        roleId: MEMBER_ROLE,
        action: "remove",
        reason: null,
      },
    ]);
  });

  it("is idempotent: a repeated PUT or DELETE answers 204 and changes nothing", async () => {
    expect((await w.bot(rolePath(MEMBER_ROLE), { method: "PUT" })).status).toBe(204);
    expect((await w.bot(rolePath(MEMBER_ROLE), { method: "PUT" })).status).toBe(204);
    expect(w.sim.inspect.member(GUILD, ALICE)?.roles).toEqual([MEMBER_ROLE]);
    expect((await w.bot(rolePath(MEMBER_ROLE), { method: "DELETE" })).status).toBe(204);
    expect((await w.bot(rolePath(MEMBER_ROLE), { method: "DELETE" })).status).toBe(204);
    expect(w.sim.inspect.roleChanges().map((c) => c.action)).toEqual(["add", "remove"]);
  });

  it("answers 403 50013 for a role at or above the bot's highest role", async () => {
    for (const role of [HIGH_ROLE, EQUAL_ROLE]) {
      const res = await w.bot(rolePath(role), { method: "PUT" });
      expect(res.status).toBe(403);
      expect(await readJson(res)).toEqual({ message: "Missing Permissions", code: 50013 });
    }
    expect(w.sim.inspect.member(GUILD, ALICE)?.roles).toEqual([]);
  });

  it("lets the bot manage a role once its own role is moved above it", async () => {
    w.sim.seed.guild({ id: GUILD, botRolePosition: 30 });
    expect((await w.bot(rolePath(HIGH_ROLE), { method: "PUT" })).status).toBe(204);
  });

  it("answers 10011 Unknown Role, 10007 Unknown Member and 10004 Unknown Guild", async () => {
    const role = await w.bot(rolePath("123"), { method: "PUT" });
    expect(role.status).toBe(404);
    expect(await readJson(role)).toEqual({ message: "Unknown Role", code: 10011 });
    const member = await w.bot(rolePath(MEMBER_ROLE, CAROL), { method: "PUT" });
    expect(await readJson(member)).toEqual({ message: "Unknown Member", code: 10007 });
    const guild = await w.bot(rolePath(MEMBER_ROLE, ALICE, "42"), { method: "DELETE" });
    expect(await readJson(guild)).toEqual({ message: "Unknown Guild", code: 10004 });
  });
});

describe("GET /guilds/{guild}/roles", () => {
  it("lists @everyone (id = guild id), the bot's managed role and the seeded roles by position", async () => {
    const roles: {
      id: string;
      name: string;
      position: number;
      managed: boolean;
      tags?: { bot_id?: string };
    }[] = await readJson(w.bot(`/guilds/${GUILD}/roles`));
    expect(roles[0]).toMatchObject({ id: GUILD, name: "@everyone", position: 0 });
    const bot = roles.find((r) => r.managed);
    expect(bot).toMatchObject({ position: 10, tags: { bot_id: w.app.botUserId } });
    expect(roles.map((r) => r.position)).toEqual([...roles.map((r) => r.position)].sort((a, b) => a - b));
    expect(roles.map((r) => r.name)).toEqual(expect.arrayContaining(["Member", "Admin", "Peer"]));
  });
});
