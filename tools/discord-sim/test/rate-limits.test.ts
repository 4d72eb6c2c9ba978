import { afterEach, describe, expect, it } from "vitest";
import { bucketHash, GLOBAL_BUCKET_HASH } from "../src/index";
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

describe("rate-limit headers on answers that take no token", () => {
  const bucketOf = (res: Response) =>
    Object.fromEntries(
      ["limit", "remaining", "reset-after", "bucket"].map((h) => [h, res.headers.get(`x-ratelimit-${h}`)]),
    );
  const roles = `/guilds/${GUILD}/roles`;

  it("a 401 from a known route carries the route's bucket without taking a token", async () => {
    w = await startWorld({ routeLimits: { guild_roles: { limit: 2, windowMs: 5_000 } } });
    for (const headers of [{}, { Authorization: "Bot not-a-token" }] as Record<string, string>[]) {
      const res = await w.raw(`/api/v10${roles}`, { headers });
      expect(res.status).toBe(401);
      expect(bucketOf(res)).toEqual({
        limit: "2",
        remaining: "2",
        "reset-after": "5.000",
        bucket: bucketHash("guild_roles"),
      });
    }
  });

  it("an injected 5xx carries the caller's bucket as it stands, and takes no token", async () => {
    w = await startWorld({ routeLimits: { guild_roles: { limit: 3, windowMs: 5_000 } } });
    expect(bucketOf(await w.bot(roles))).toMatchObject({ remaining: "2" });
    w.clock.advance(1_000);
    w.sim.faults.set({ route: "guild_roles", errorRate: 1, errorStatuses: [502] });
    const failed = await w.bot(roles);
    expect(failed.status).toBe(502);
    expect(bucketOf(failed)).toEqual({
      limit: "3",
      remaining: "2",
      "reset-after": "4.000",
      bucket: bucketHash("guild_roles"),
    });
    w.sim.faults.clear();
    expect(bucketOf(await w.bot(roles))).toMatchObject({ remaining: "1" });
  });

  it("the strict User-Agent 403 carries the caller's bucket and takes no token", async () => {
    w = await startWorld({
      strictUserAgent: true,
      routeLimits: { guild_roles: { limit: 2, windowMs: 5_000 } },
    });
    expect(bucketOf(await w.bot(roles))).toMatchObject({ remaining: "1" });
    const blocked = await w.bot(roles, { headers: { "User-Agent": "curl/8" } });
    expect(blocked.status).toBe(403);
    expect(bucketOf(blocked)).toMatchObject({ remaining: "1", bucket: bucketHash("guild_roles") });
    expect(bucketOf(await w.bot(roles))).toMatchObject({ remaining: "0" });
  });

  it("a forced global 429 names no bucket", async () => {
    w = await startWorld();
    w.sim.faults.set({ route: "guild_roles", force429: { count: 1, retryAfterMs: 500, global: true } });
    const limited = await w.bot(roles);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-global")).toBe("true");
    expect(limited.headers.get("x-ratelimit-bucket")).toBeNull();
    expect(limited.headers.get("x-ratelimit-remaining")).toBeNull();
  });

  it("404 and 405 match no route: they count against the caller's global limit and describe that window", async () => {
    w = await startWorld({ globalPerSecond: 3 });
    const wrongMethod = await w.bot(roles, { method: "POST" });
    expect(wrongMethod.status).toBe(405);
    expect(bucketOf(wrongMethod)).toEqual({
      limit: "3",
      remaining: "2",
      "reset-after": "1.000",
      bucket: GLOBAL_BUCKET_HASH,
    });
    const unknown = await w.bot("/nothing/here");
    expect(unknown.status).toBe(404);
    expect(bucketOf(unknown)).toMatchObject({ remaining: "1", bucket: GLOBAL_BUCKET_HASH });
    expect((await w.bot(roles)).status).toBe(200);
    const limited = await w.bot("/nothing/here");
    expect(limited.status).toBe(429);
    expect(await readJson(limited)).toMatchObject({ global: true });
    expect(limited.headers.get("x-ratelimit-bucket")).toBeNull();
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

  it("counts requests without a bot or user token against a global limit per client IP, not the bot's", async () => {
    w = await startWorld({ globalPerSecond: 2 });
    const post = (hook: { id: string; token: string }) =>
      w.raw(`/api/v10/webhooks/${hook.id}/${hook.token}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"content":"x"}',
      });
    const hooks = [1, 2, 3].map(() => w.sim.seed.webhook({ channelId: CHANNEL }));
    expect((await post(hooks[0]!)).status).toBe(204);
    expect((await w.raw("/api/v10/oauth2/token", { method: "POST" })).status).toBe(400); // no form
    const limited = await post(hooks[1]!);
    expect(limited.status).toBe(429);
    expect(await readJson(limited)).toMatchObject({ global: true });
    expect(limited.headers.get("x-ratelimit-scope")).toBe("global");
    // The bot's budget is its own.
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(429);
    w.clock.advance(1_000);
    expect((await post(hooks[2]!)).status).toBe(204);
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
    expect(w.sim.inspect.requests().at(-1)).toMatchObject({
      route: "other",
      status: 404,
      bucket: GLOBAL_BUCKET_HASH,
    });
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
