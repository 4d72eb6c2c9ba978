import { afterEach, describe, expect, it } from "vitest";
import { bucketHash } from "../src/index";
import { ALICE, BOB, CHANNEL, GUILD, MEMBER_ROLE, readJson, startWorld, type World } from "./helpers";

let w: World;
afterEach(async () => {
  await w.sim.close();
});

const OTHER_GUILD = "1100000000000000999";

describe("per-route buckets", () => {
  it("announces Limit, Remaining, Reset, Reset-After and Bucket on every answer, errors included", async () => {
    w = await startWorld({ routeLimits: { get_member: { limit: 2, windowMs: 1_000 } } });
    const ok = await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    expect(ok.headers.get("x-ratelimit-limit")).toBe("2");
    expect(ok.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(ok.headers.get("x-ratelimit-reset-after")).toBe("1.000");
    expect(ok.headers.get("x-ratelimit-reset")).toBe(((w.clock.now() + 1_000) / 1000).toFixed(3));
    expect(ok.headers.get("x-ratelimit-bucket")).toBe(bucketHash("get_member"));
    const notFound = await w.bot(`/guilds/${GUILD}/members/1`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("answers 429 with Discord's body and headers once a bucket is empty, and refills after the window", async () => {
    w = await startWorld({ routeLimits: { get_member: { limit: 2, windowMs: 1_000 } } });
    await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    w.clock.advance(250);
    await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    const limited = await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    expect(limited.status).toBe(429);
    expect(await readJson(limited)).toEqual({
      message: "You are being rate limited.",
      retry_after: 0.75,
      global: false,
    });
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    expect(limited.headers.get("x-ratelimit-global")).toBeNull();
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("x-ratelimit-reset-after")).toBe("0.750");
    w.clock.advance(750);
    expect((await w.bot(`/guilds/${GUILD}/members/${ALICE}`)).status).toBe(200);
  });

  it("keys buckets by major parameter: another guild has its own count but the same bucket hash", async () => {
    w = await startWorld({ routeLimits: { get_member: { limit: 1, windowMs: 1_000 } } });
    w.sim.seed.guild({ id: OTHER_GUILD });
    w.sim.seed.member({ guildId: OTHER_GUILD, userId: ALICE });
    expect((await w.bot(`/guilds/${GUILD}/members/${ALICE}`)).status).toBe(200);
    expect((await w.bot(`/guilds/${GUILD}/members/${ALICE}`)).status).toBe(429);
    const other = await w.bot(`/guilds/${OTHER_GUILD}/members/${ALICE}`);
    expect(other.status).toBe(200);
    expect(other.headers.get("x-ratelimit-bucket")).toBe(bucketHash("get_member"));
  });

  it("shares one bucket between PUT and DELETE of member roles", async () => {
    w = await startWorld({ routeLimits: { member_role: { limit: 2, windowMs: 10_000 } } });
    const path = `/guilds/${GUILD}/members/${ALICE}/roles/${MEMBER_ROLE}`;
    const put = await w.bot(path, { method: "PUT" });
    const del = await w.bot(path, { method: "DELETE" });
    expect(put.headers.get("x-ratelimit-bucket")).toBe(del.headers.get("x-ratelimit-bucket"));
    expect(del.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(
      (await w.bot(`/guilds/${GUILD}/members/${BOB}/roles/${MEMBER_ROLE}`, { method: "PUT" })).status,
    ).toBe(429);
  });

  it("limits webhook executions per webhook id + token", async () => {
    w = await startWorld({ routeLimits: { execute_webhook: { limit: 1, windowMs: 2_000 } } });
    const a = w.sim.seed.webhook({ channelId: CHANNEL });
    const b = w.sim.seed.webhook({ channelId: CHANNEL });
    const post = (hook: typeof a) =>
      w.raw(`/api/v10/webhooks/${hook.id}/${hook.token}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"content":"x"}',
      });
    expect((await post(a)).status).toBe(204);
    expect((await post(a)).status).toBe(429);
    expect((await post(b)).status).toBe(204);
  });
});

describe("global limit", () => {
  it("answers a global 429 across routes once the bot's per-second budget is spent", async () => {
    w = await startWorld({ globalPerSecond: 3 });
    await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    await w.bot(`/guilds/${GUILD}/roles`);
    await w.bot(`/channels/${CHANNEL}/webhooks`);
    const limited = await w.bot(`/guilds/${GUILD}/members?limit=5`);
    expect(limited.status).toBe(429);
    const body = await readJson(limited);
    expect(body.global).toBe(true);
    expect(body.retry_after).toBeGreaterThan(0);
    expect(limited.headers.get("x-ratelimit-global")).toBe("true");
    expect(limited.headers.get("x-ratelimit-scope")).toBe("global");
    expect(limited.headers.get("x-ratelimit-bucket")).toBeNull();
    expect(limited.headers.get("retry-after")).toBe("1");
    w.clock.advance(1_000);
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
    expect(w.sim.inspect.rateLimited()).toMatchObject({ total: 1, global: 1, user: 0, shared: 0 });
  });

  it("does not count webhook executions or OAuth against the bot's global limit", async () => {
    w = await startWorld({ globalPerSecond: 1 });
    const hook = w.sim.seed.webhook({ channelId: CHANNEL });
    for (let i = 0; i < 3; i++) {
      const res = await w.raw(`/api/v10/webhooks/${hook.id}/${hook.token}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"content":"x"}',
      });
      expect(res.status).toBe(204);
    }
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(429);
  });
});

describe("invalid requests and the request log", () => {
  it("counts 401, 403 and 429 answers in a sliding window", async () => {
    w = await startWorld({
      invalidWindowMs: 60_000,
      routeLimits: { guild_roles: { limit: 1, windowMs: 5_000 } },
    });
    await w.raw(`/api/v10/guilds/${GUILD}/roles`); // 401
    const other = w.sim.seed.application({});
    await w.raw(`/api/v10/guilds/${GUILD}/roles`, { headers: { Authorization: `Bot ${other.botToken}` } }); // 403
    await w.bot(`/guilds/${GUILD}/roles`); // 200
    await w.bot(`/guilds/${GUILD}/roles`); // 429
    await w.bot(`/guilds/${GUILD}/members/1`); // 404: not invalid
    expect(w.sim.inspect.invalidRequests()).toBe(3);
    w.clock.advance(60_001);
    expect(w.sim.inspect.invalidRequests()).toBe(0);
  });

  it("records every request with its route, status and bucket, and keeps running counters", async () => {
    w = await startWorld();
    await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    await w.bot(`/guilds/${GUILD}/members/1`);
    await w.raw("/api/v10/nowhere");
    const records = w.sim.inspect.requests({ route: "get_member" });
    expect(records).toEqual([
      expect.objectContaining({
        method: "GET",
        route: "get_member",
        status: 200,
        bucket: bucketHash("get_member"),
      }),
      expect.objectContaining({ route: "get_member", status: 404 }),
    ]);
    expect(w.sim.inspect.requests().at(-1)).toMatchObject({ route: "other", status: 404, bucket: null });
    expect(w.sim.inspect.counters()).toMatchObject({ requests: 3, byRoute: { get_member: 2, other: 1 } });
  });

  it("keeps at most requestLogCap records while the counters keep counting", async () => {
    w = await startWorld({ requestLogCap: 3 });
    for (let i = 0; i < 5; i++) await w.bot(`/guilds/${GUILD}/roles`);
    await w.bot(`/guilds/${GUILD}/members/${ALICE}`);
    const records = w.sim.inspect.requests();
    expect(records).toHaveLength(3);
    expect(records.at(-1)?.route).toBe("get_member");
    expect(w.sim.inspect.counters().requests).toBe(6);
  });
});
