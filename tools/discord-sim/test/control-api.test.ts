import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDiscordSim } from "../src/index";
import type { DiscordSim } from "../src/types";
import { readJson } from "./helpers";

let sim: DiscordSim;
beforeEach(async () => {
  sim = await startDiscordSim();
});
afterEach(async () => {
  await sim.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${sim.url}/_sim${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
const get = async (path: string) => readJson(fetch(`${sim.url}/_sim${path}`));

describe("the /_sim HTTP API", () => {
  it("seeds piece by piece and the Discord API serves what was seeded", async () => {
    const app = await readJson(
      post("/seed/application", { name: "Remote", redirectUris: ["http://x.test/cb"] }),
    );
    const guild = await readJson(post("/seed/guild", { id: "500" }));
    expect(guild.botUserId).toBe(app.botUserId);
    const role = await readJson(post("/seed/role", { guildId: "500", name: "Member", position: 1 }));
    await post("/seed/user", { id: "42", username: "remote_user", email: "r@example.test" });
    await post("/seed/member", { guildId: "500", userId: "42", roles: [role.id] });
    const res = await fetch(`${sim.apiBaseUrl}/guilds/500/members/42`, {
      headers: { Authorization: `Bot ${app.botToken}` },
    });
    expect(res.status).toBe(200);
    expect((await readJson(res)).roles).toEqual([role.id]);
    expect(await get("/inspect/member?guildId=500&userId=42")).toMatchObject({
      userId: "42",
      roles: [role.id],
    });
  });

  it("seeds a whole document and bulk members, and reports what it created", async () => {
    const res = await post("/seed", {
      applications: [{ clientId: "10", clientSecret: "s", botToken: "bot-token" }],
      guilds: [{ id: "20" }],
      bulkMembers: [{ guildId: "20", count: 1000, idStart: "1000000" }],
      channels: [{ id: "30", guildId: "20" }],
      webhooks: [{ id: "40", token: "t", channelId: "30" }],
      pkMessages: [{ id: "50", sender: "1000000", channel: "30" }],
    });
    expect(res.status).toBe(200);
    const result = await readJson(res);
    expect(result.bulkMembers).toEqual([
      { guildId: "20", count: 1000, firstUserId: "1000000", lastUserId: "1000999" },
    ]);
    const page = await readJson(
      fetch(`${sim.apiBaseUrl}/guilds/20/members?limit=1000`, {
        headers: { Authorization: "Bot bot-token" },
      }),
    );
    expect(page).toHaveLength(1000);
  });

  it("answers 400 with a code for an invalid seed", async () => {
    const bad = await post("/seed/role", { guildId: "777", name: "x", position: 1 });
    expect(bad.status).toBe(400);
    expect(await readJson(bad)).toMatchObject({ error: "unknown_guild" });
    const malformed = await post("/seed/user", { id: "not-a-snowflake" });
    expect(malformed.status).toBe(400);
    expect((await readJson(malformed)).error).toBe("invalid_seed");
  });

  it("sets and clears faults, inspects requests, and resets", async () => {
    await post("/seed", {
      applications: [{ clientId: "10", botToken: "bot-token" }],
      guilds: [{ id: "20" }],
    });
    expect((await post("/faults", { route: "guild_roles", errorRate: 1, errorStatuses: [500] })).status).toBe(
      200,
    );
    const roles = () =>
      fetch(`${sim.apiBaseUrl}/guilds/20/roles`, { headers: { Authorization: "Bot bot-token" } });
    expect((await roles()).status).toBe(500);
    await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" });
    expect((await roles()).status).toBe(200);
    const records = await get("/inspect/requests?route=guild_roles");
    expect(records.map((r: { status: number }) => r.status)).toEqual([500, 200]);
    expect(await get("/inspect/counters")).toMatchObject({ requests: 2 });
    expect(await get("/inspect/invalid-requests")).toEqual({ count: 0 });
    expect(await get("/inspect/rate-limited")).toMatchObject({ total: 0 });
    await post("/reset", {});
    expect((await roles()).status).toBe(401);
    expect(await get("/inspect/counters")).toMatchObject({ requests: 1 });
  });

  it("reports its URLs", async () => {
    expect(await get("")).toMatchObject({
      ok: true,
      apiBaseUrl: sim.apiBaseUrl,
      pluralkitBaseUrl: sim.pluralkitBaseUrl,
    });
  });
});
