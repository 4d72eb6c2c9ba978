import { createInstantTime } from "@guildkit/core/testing";
import { MockAgent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordRest, type DiscordRestOptions } from "./client";
import {
  DiscordAbortError,
  DiscordApiError,
  DiscordNetworkError,
  DiscordRateLimitError,
  DiscordResponseError,
  DiscordTimeoutError,
} from "./errors";
import type { RateLimiter } from "./limiter";

/** For `.then(unexpected, onError)`: the call was supposed to fail. */
const unexpected = (): never => {
  throw new Error("expected the call to fail");
};

const ORIGIN = "https://discord.test";
const TOKEN = "bot-token-SECRET.value";
const HOOK_TOKEN = "hook-token-SECRET";
const NO_BUDGET: RateLimiter = { schedule: (fn) => fn() };

const user = (id: string) => ({
  id,
  username: `user${id}`,
  discriminator: "0",
  global_name: null,
  avatar: null,
});
const member = (id: string, roles: string[] = []) => ({
  user: user(id),
  nick: null,
  avatar: null,
  roles,
  joined_at: "2026-01-01T00:00:00.000000+00:00",
  deaf: false,
  mute: false,
  flags: 0,
});
const bucketHeaders = (remaining: number, resetAfter = 1, bucket = "b1") => ({
  "content-type": "application/json",
  "x-ratelimit-limit": "5",
  "x-ratelimit-remaining": String(remaining),
  "x-ratelimit-reset-after": String(resetAfter),
  "x-ratelimit-bucket": bucket,
});
const json = { "content-type": "application/json" };

let agents: MockAgent[] = [];
afterEach(async () => {
  for (const agent of agents) await agent.close();
  agents = [];
});

function setup(overrides: Partial<DiscordRestOptions> = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const pool = agent.get(ORIGIN);
  const time = createInstantTime(1_700_000_000_000);
  const sleeps = time.waits;
  const logs: string[] = [];
  const client = createDiscordRest({
    token: TOKEN,
    apiBaseUrl: `${ORIGIN}/api/v10`,
    cdnBaseUrl: `${ORIGIN}/cdn`,
    dispatcher: agent,
    limiter: NO_BUDGET,
    clock: time.clock,
    scheduler: time.scheduler,
    random: () => 0.5,
    logger: {
      debug: (m, d) => logs.push(`${m} ${JSON.stringify(d)}`),
      warn: (m, d) => logs.push(`${m} ${JSON.stringify(d)}`),
    },
    ...overrides,
  });
  return { client, pool, sleeps, logs };
}

describe("createDiscordRest: requests", () => {
  it("gets a member with the bot token and a DiscordBot user agent, validated", async () => {
    const { client, pool } = setup();
    let seen: Record<string, string> = {};
    pool.intercept({ path: "/api/v10/guilds/1/members/2", method: "GET" }).reply((opts) => {
      seen = opts.headers as Record<string, string>;
      return { statusCode: 200, data: member("2", ["9"]), responseOptions: { headers: bucketHeaders(4) } };
    });
    const result = await client.getGuildMember({ guildId: "1", userId: "2" });
    expect(result?.roles).toEqual(["9"]);
    expect(seen.authorization).toBe(`Bot ${TOKEN}`);
    expect(seen["user-agent"]).toMatch(
      /^DiscordBot \(https:\/\/github\.com\/guildkit\/guildkit, \d+\.\d+\.\d+\)$/,
    );
  });

  it.each([10007, 10013])("returns null for a member that is not there (404 %i)", async (code) => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/members/2", method: "GET" })
      .reply(404, { message: "Unknown", code }, { headers: json });
    expect(await client.getGuildMember({ guildId: "1", userId: "2" })).toBeNull();
  });

  it("throws for an unknown guild instead of pretending the member is absent", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/members/2", method: "GET" })
      .reply(404, { message: "Unknown Guild", code: 10004 }, { headers: json });
    await expect(client.getGuildMember({ guildId: "1", userId: "2" })).rejects.toMatchObject({
      name: "DiscordApiError",
      status: 404,
      code: 10004,
      retryable: false,
      route: "GET /guilds/:guild/members/:user",
    });
  });

  it("pages through members by the highest user id and stops at a short page", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/members?limit=2", method: "GET" })
      .reply(200, [member("10"), member("11")], { headers: json });
    pool
      .intercept({ path: "/api/v10/guilds/1/members?limit=2&after=11", method: "GET" })
      .reply(200, [member("12")], { headers: json });
    const ids: string[] = [];
    for await (const m of client.iterateGuildMembers({ guildId: "1", pageSize: 2 })) ids.push(m.user.id);
    expect(ids).toEqual(["10", "11", "12"]);
  });

  it("sends the audit-log reason URL-encoded and cut to 512 characters", async () => {
    const { client, pool } = setup();
    let reason = "";
    pool.intercept({ path: "/api/v10/guilds/1/members/2/roles/3", method: "PUT" }).reply((opts) => {
      reason = (opts.headers as Record<string, string>)["x-audit-log-reason"] ?? "";
      return { statusCode: 204, data: "" };
    });
    await client.addGuildMemberRole({
      guildId: "1",
      userId: "2",
      roleId: "3",
      reason: `paid ✓ ${"x".repeat(600)}`,
    });
    expect(decodeURIComponent(reason)).toHaveLength(512);
    expect(reason.startsWith("paid%20%E2%9C%93%20x")).toBe(true);
  });

  it("explains 403 50013 on a role change and counts it as an invalid request", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/members/2/roles/3", method: "DELETE" })
      .reply(403, { message: "Missing Permissions", code: 50013 }, { headers: json });
    const error = await client
      .removeGuildMemberRole({ guildId: "1", userId: "2", roleId: "3" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect((error as Error).message).toContain("move the bot's role above it in Server Settings → Roles");
    expect(client.stats().invalidRequests).toBe(1);
  });

  it("executes a webhook without the bot token, waits for the message, and hides the webhook token", async () => {
    const { client, pool } = setup();
    let headers: Record<string, string> = {};
    let body = "";
    pool
      .intercept({ path: `/api/v10/webhooks/5/${HOOK_TOKEN}?wait=true&thread_id=7`, method: "POST" })
      .reply((opts) => {
        headers = opts.headers as Record<string, string>;
        body = String(opts.body);
        return {
          statusCode: 200,
          data: {
            id: "100",
            channel_id: "7",
            content: "hi",
            author: { id: "5", username: "hook" },
            timestamp: "2026-01-01T00:00:00.000000+00:00",
            webhook_id: "5",
          },
          responseOptions: { headers: json },
        };
      });
    const message = await client.executeWebhook({
      webhookId: "5",
      webhookToken: HOOK_TOKEN,
      threadId: "7",
      body: { content: "hi", allowed_mentions: { parse: [] } },
    });
    expect(message.id).toBe("100");
    expect(headers.authorization).toBeUndefined();
    expect(JSON.parse(body)).toEqual({ content: "hi", allowed_mentions: { parse: [] } });
  });

  it("remembers a webhook that answered 404 Unknown Webhook and never calls it again", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: `/api/v10/webhooks/5/${HOOK_TOKEN}?wait=true`, method: "POST" })
      .reply(404, { message: "Unknown Webhook", code: 10015 }, { headers: json });
    const first = await client
      .executeWebhook({ webhookId: "5", webhookToken: HOOK_TOKEN, body: { content: "a" } })
      .then(unexpected, (e: unknown) => e as DiscordApiError);
    const second = await client
      .executeWebhook({ webhookId: "5", webhookToken: HOOK_TOKEN, body: { content: "b" } })
      .then(unexpected, (e: unknown) => e as DiscordApiError);
    expect(first).toMatchObject({ status: 404, code: 10015, route: "POST /webhooks/:webhook/:token" });
    expect(second).toMatchObject({ status: 404, code: 10015 });
    expect(client.stats().requests).toBe(1);
    for (const e of [first, second])
      expect(JSON.stringify({ ...e, message: e.message })).not.toContain(HOOK_TOKEN);
  });

  it("downloads an avatar from the CDN, and returns null for a missing one", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/cdn/guilds/1/users/2/avatars/abc.png?size=64", method: "GET" })
      .reply(200, Buffer.from([137, 80, 78, 71]), { headers: { "content-type": "image/png" } });
    pool.intercept({ path: "/cdn/avatars/2/gone.png", method: "GET" }).reply(404, "");
    const image = await client.fetchAvatar({ userId: "2", guildId: "1", hash: "abc", size: 64 });
    expect(image).toEqual({ bytes: new Uint8Array([137, 80, 78, 71]), contentType: "image/png" });
    expect(await client.fetchAvatar({ userId: "2", hash: "gone" })).toBeNull();
    expect(client.avatarUrl({ userId: "2", hash: "a_x" })).toBe(`${ORIGIN}/cdn/avatars/2/a_x.gif`);
  });

  it("rejects a 2xx body of the wrong shape with DiscordResponseError", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(200, [{ id: 1 }], { headers: json });
    const error = await client.getGuildRoles({ guildId: "1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordResponseError);
    expect((error as DiscordResponseError).issues.join()).toContain("0.id");
  });

  it("parses webhook URLs on Discord hosts and on its own API origin", () => {
    const { client } = setup();
    expect(client.parseWebhookUrl(`${ORIGIN}/api/webhooks/5/${HOOK_TOKEN}`)).toEqual({
      id: "5",
      token: HOOK_TOKEN,
    });
    expect(client.parseWebhookUrl(`https://discord.com/api/webhooks/5/${HOOK_TOKEN}`).id).toBe("5");
  });
});

describe("createDiscordRest: rate limits and retries", () => {
  it("waits out a route 429 and retries without spending a retry", async () => {
    const { client, pool, sleeps } = setup({ retries: 0 });
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(
        429,
        { message: "You are being rate limited.", retry_after: 1.5, global: false },
        { headers: { ...bucketHeaders(0, 1.5), "x-ratelimit-scope": "user", "retry-after": "2" } },
      );
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(200, [], { headers: bucketHeaders(4) });
    expect(await client.getGuildRoles({ guildId: "1" })).toEqual([]);
    expect(sleeps).toEqual([1500]);
    expect(client.stats()).toMatchObject({
      requests: 2,
      retries: 0,
      rateLimited: { total: 1, user: 1, global: 0, shared: 0 },
      invalidRequests: 1,
    });
  });

  it("pauses every route for a global 429", async () => {
    const { client, pool, sleeps } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(
        429,
        { message: "You are being rate limited.", retry_after: 3, global: true },
        { headers: { ...json, "x-ratelimit-global": "true", "x-ratelimit-scope": "global" } },
      );
    pool.intercept({ path: "/api/v10/guilds/1/roles", method: "GET" }).reply(200, [], { headers: json });
    await client.getGuildRoles({ guildId: "1" });
    expect(sleeps).toEqual([3000]);
    expect(client.stats().rateLimited.global).toBe(1);
  });

  it("does not count shared-scope 429s as invalid requests", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(
        429,
        { message: "The resource is being rate limited.", retry_after: 0.1, global: false },
        { headers: { ...json, "x-ratelimit-scope": "shared" } },
      );
    pool.intercept({ path: "/api/v10/guilds/1/roles", method: "GET" }).reply(200, [], { headers: json });
    await client.getGuildRoles({ guildId: "1" });
    expect(client.stats()).toMatchObject({ invalidRequests: 0, rateLimited: { shared: 1 } });
  });

  it("surfaces DiscordRateLimitError after more 429s than rateLimitRetries", async () => {
    const { client, pool } = setup({ rateLimitRetries: 2 });
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(429, { retry_after: 0.2, global: false }, { headers: { ...json, "x-ratelimit-scope": "user" } })
      .times(3);
    const error = await client.getGuildRoles({ guildId: "1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordRateLimitError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 200, status: 429, scope: "user" });
  });

  it("gives up at once on a 429 that asks for longer than maxRateLimitWaitMs", async () => {
    const { client, pool, sleeps } = setup({ maxRateLimitWaitMs: 1000 });
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(429, { retry_after: 30, global: false }, { headers: json });
    await expect(client.getGuildRoles({ guildId: "1" })).rejects.toMatchObject({
      name: "DiscordRateLimitError",
      retryAfterMs: 30_000,
    });
    expect(sleeps).toEqual([]);
  });

  it("retries 5xx with jittered exponential backoff, then reports a retryable DiscordApiError", async () => {
    const { client, pool, sleeps } = setup({ retries: 2 });
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(502, { message: "Bad Gateway", code: 0 }, { headers: json })
      .times(3);
    await expect(client.getGuildRoles({ guildId: "1" })).rejects.toMatchObject({
      name: "DiscordApiError",
      status: 502,
      retryable: true,
    });
    expect(sleeps).toEqual([125, 250]);
    expect(client.stats().retries).toBe(2);
  });

  it("retries a dropped connection and succeeds", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .replyWithError(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }));
    pool.intercept({ path: "/api/v10/guilds/1/roles", method: "GET" }).reply(200, [], { headers: json });
    expect(await client.getGuildRoles({ guildId: "1" })).toEqual([]);
    expect(client.stats()).toMatchObject({ networkErrors: 1, retries: 1 });
  });

  it("reports DiscordNetworkError with the errno when connections keep failing", async () => {
    const { client, pool } = setup({ retries: 1 });
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .replyWithError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))
      .times(2);
    const error = await client.getGuildRoles({ guildId: "1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordNetworkError);
    expect(error).toMatchObject({ errno: "ECONNREFUSED", retryable: true, status: null });
  });

  it("times out a slow answer and reports DiscordTimeoutError (name TimeoutError)", async () => {
    const { client, pool } = setup({ timeoutMs: 30, retries: 0 });
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(200, [], { headers: json })
      .delay(500);
    const error = await client.getGuildRoles({ guildId: "1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordTimeoutError);
    expect(error).toMatchObject({ name: "TimeoutError", retryable: true, timeoutMs: 30 });
  });

  it("rejects with DiscordAbortError (name AbortError) when the caller aborts", async () => {
    const controller = new AbortController();
    // Aborts once the request is on the wire (the budget has just started it), not after a guessed delay.
    const abortOnceSent: RateLimiter = {
      schedule: (fn) => {
        const sent = fn();
        controller.abort();
        return sent;
      },
    };
    const { client, pool } = setup({ limiter: abortOnceSent });
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(200, [], { headers: json })
      .delay(500);
    const pending = client
      .getGuildRoles({ guildId: "1", signal: controller.signal })
      .catch((e: unknown) => e);
    const error = await pending;
    expect(error).toBeInstanceOf(DiscordAbortError);
    expect(error).toMatchObject({ name: "AbortError", retryable: false });
  });

  it("ends queued requests with DiscordAbortError when the client is closed", async () => {
    const { pool } = setup();
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(200, [], { headers: json })
      .persist();
    const agent = agents.at(-1)!;
    const client = createDiscordRest({
      token: TOKEN,
      apiBaseUrl: `${ORIGIN}/api/v10`,
      dispatcher: agent,
      rps: 1,
    });
    const calls = [1, 2, 3].map(() =>
      client.getGuildRoles({ guildId: "1" }).then(
        () => "ok",
        (e: unknown) => e,
      ),
    );
    // The first is answered; at 1 request/s the other two are still queued behind it.
    await calls[0];
    await client.close();
    const [first, ...rest] = await Promise.all(calls);
    expect(first).toBe("ok");
    for (const outcome of rest) expect(outcome).toBeInstanceOf(DiscordAbortError);
    expect((rest[0] as Error).message).toContain("closed");
  });

  it("never lets the bot token or a webhook token into errors, logs or stats", async () => {
    const { client, pool, logs } = setup({ retries: 1 });
    pool
      .intercept({ path: `/api/v10/webhooks/5/${HOOK_TOKEN}?wait=true`, method: "POST" })
      .reply(429, { retry_after: 0.01, global: false }, { headers: json });
    pool
      .intercept({ path: `/api/v10/webhooks/5/${HOOK_TOKEN}?wait=true`, method: "POST" })
      .reply(500, { message: "oops", code: 0 }, { headers: json })
      .times(2);
    pool
      .intercept({ path: "/api/v10/guilds/1/roles", method: "GET" })
      .reply(401, { message: "401: Unauthorized", code: 0 }, { headers: json });
    const errors = [
      await client
        .executeWebhook({ webhookId: "5", webhookToken: HOOK_TOKEN, body: { content: "x" } })
        .then(unexpected, (e: unknown) => e as Error),
      await client.getGuildRoles({ guildId: "1" }).then(unexpected, (e: unknown) => e as Error),
    ];
    expect(errors[1]?.message).toContain("bot token");
    const everything = JSON.stringify([
      errors.map((e) => ({ ...e, message: e.message, stack: e.stack })),
      logs,
      client.stats(),
      client.buckets(),
    ]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(HOOK_TOKEN);
  });
});
