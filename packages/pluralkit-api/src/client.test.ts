import { createInstantTime } from "@guildkit/core/testing";
import { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPluralKitApi } from "./client";
import { PluralKitApiError } from "./errors";

const ORIGIN = "http://pk.test";
const BASE = `${ORIGIN}/v2`;
const UA = "guildkit-tests/1.0 (+https://example.org)";

const message = {
  timestamp: "2026-11-23T12:00:00Z",
  id: "1300000000000000001",
  original: "1300000000000000000",
  sender: "80351110224678912",
  channel: "1200000000000000000",
  guild: "1100000000000000000",
  system: {
    id: "exmpl",
    uuid: "sys-uuid",
    name: "Sys",
    description: null,
    tag: "| PK",
    pronouns: null,
    avatar_url: null,
    banner: null,
    color: null,
    created: "2020-01-01T00:00:00.123456Z",
    privacy: null,
  },
  member: {
    id: "abcde",
    uuid: "mem-uuid",
    name: "Alice",
    display_name: null,
    color: "ff00ff",
    birthday: null,
    pronouns: "she/her",
    avatar_url: "https://example.org/a.png",
    webhook_avatar_url: null,
    banner: null,
    description: null,
    created: null,
    keep_proxy: false,
    tts: false,
    autoproxy_enabled: null,
    message_count: null,
    last_message_timestamp: null,
    proxy_tags: [{ prefix: "a:", suffix: null }],
    privacy: null,
  },
};

let agent: MockAgent;
let time = createInstantTime();
let sleeps = time.waits;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  time = createInstantTime();
  sleeps = time.waits;
});
afterEach(async () => {
  await agent.close();
});

function api(extra: Partial<Parameters<typeof createPluralKitApi>[0]> = {}) {
  return createPluralKitApi({
    baseUrl: BASE,
    userAgent: UA,
    dispatcher: agent,
    clock: time.clock,
    scheduler: time.scheduler,
    ...extra,
  });
}

const pool = () => agent.get(ORIGIN);
const path = (id: string) => `/v2/messages/${id}`;

describe("getMessage", () => {
  it("sends the User-Agent and returns the typed message", async () => {
    pool()
      .intercept({ path: path(message.id), method: "GET", headers: { "user-agent": UA } })
      .reply(200, message, { headers: { "content-type": "application/json" } });
    const result = await api().getMessage({ id: message.id });
    expect(result).toMatchObject({
      id: message.id,
      original: message.original,
      sender: message.sender,
      member: {
        id: "abcde",
        uuid: "mem-uuid",
        pronouns: "she/her",
        proxy_tags: [{ prefix: "a:", suffix: null }],
      },
      system: { id: "exmpl", tag: "| PK" },
    });
  });

  it("resolves null on 404 code 20006, and for an id that is not a snowflake without asking", async () => {
    pool()
      .intercept({ path: path("1"), method: "GET" })
      .reply(404, { message: "Message not found.", code: 20006 });
    const client = api();
    await expect(client.getMessage({ id: "1" })).resolves.toBeNull();
    await expect(client.getMessage({ id: "not-an-id" })).resolves.toBeNull();
    expect(client.stats().requests).toBe(1);
  });

  it("handles a deleted member and system, and an empty original", async () => {
    pool()
      .intercept({ path: path(message.id), method: "GET" })
      .reply(200, { ...message, original: "", member: null, system: null });
    await expect(api().getMessage({ id: message.id })).resolves.toMatchObject({
      original: null,
      member: null,
      system: null,
    });
  });

  it("caches by message id: the proxied and the original id share one entry", async () => {
    pool()
      .intercept({ path: path(message.original), method: "GET" })
      .reply(200, message);
    const client = api();
    await client.getMessage({ id: message.original });
    await client.getMessage({ id: message.id });
    await client.getMessage({ id: message.original });
    expect(client.stats()).toMatchObject({ requests: 1, cacheHits: 2 });
  });

  it("does not cache a 'not found', and shares one request between concurrent lookups", async () => {
    pool()
      .intercept({ path: path("5"), method: "GET" })
      .reply(404, { message: "Message not found.", code: 20006 });
    pool()
      .intercept({ path: path("5"), method: "GET" })
      .reply(200, { ...message, id: "5" });
    const client = api();
    await expect(client.getMessage({ id: "5" })).resolves.toBeNull();
    const [a, b] = await Promise.all([client.getMessage({ id: "5" }), client.getMessage({ id: "5" })]);
    expect(a?.id).toBe("5");
    expect(b).toBe(a);
    expect(client.stats().requests).toBe(2);
  });

  it("honours 429 retry_after in milliseconds, then succeeds", async () => {
    const { clock, scheduler, waits } = createInstantTime(1_000_000);
    pool()
      .intercept({ path: path(message.id), method: "GET" })
      .reply(429, { message: "429: too many requests", retry_after: 730, code: 0, scope: "message" });
    pool()
      .intercept({ path: path(message.id), method: "GET" })
      .reply(200, message);
    const client = api({ clock, scheduler });
    await expect(client.getMessage({ id: message.id })).resolves.toMatchObject({ id: message.id });
    expect(waits).toEqual([730]);
    expect(client.stats().rateLimited).toBe(1);
  });

  it("gives up after the rate-limit retries with a retryable error carrying retryAfterMs", async () => {
    for (let i = 0; i < 2; i++) {
      pool()
        .intercept({ path: path(message.id), method: "GET" })
        .reply(429, { message: "429: too many requests", retry_after: 100, code: 0 });
    }
    const error = await api({ rateLimitRetries: 1 })
      .getMessage({ id: message.id })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluralKitApiError);
    expect(error).toMatchObject({
      name: "PluralKitApiError",
      reason: "rate_limited",
      status: 429,
      retryable: true,
      retryAfterMs: 100,
      route: "GET /messages/{id}",
    });
  });

  it("pauses when X-RateLimit-Remaining is 0 until X-RateLimit-Reset, read in seconds or milliseconds", async () => {
    const { clock, scheduler, waits } = createInstantTime(1_795_000_000_200);
    pool()
      .intercept({ path: path("7"), method: "GET" })
      .reply(
        404,
        { message: "Message not found.", code: 20006 },
        {
          headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1795000001" },
        },
      );
    pool()
      .intercept({ path: path("8"), method: "GET" })
      .reply(
        404,
        { message: "Message not found.", code: 20006 },
        {
          headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1795000001500" },
        },
      );
    pool()
      .intercept({ path: path("9"), method: "GET" })
      .reply(404, { message: "Message not found.", code: 20006 });
    const client = api({ clock, scheduler });
    await client.getMessage({ id: "7" });
    await client.getMessage({ id: "8" });
    await client.getMessage({ id: "9" });
    expect(waits).toEqual([800, 500]);
  });

  it("retries a 5xx, then reports server_error", async () => {
    pool()
      .intercept({ path: path("1"), method: "GET" })
      .reply(502, "bad gateway");
    pool()
      .intercept({ path: path("1"), method: "GET" })
      .reply(200, { ...message, id: "1" });
    await expect(api().getMessage({ id: "1" })).resolves.toMatchObject({ id: "1" });
    for (let i = 0; i < 3; i++)
      pool()
        .intercept({ path: path("2"), method: "GET" })
        .reply(500, { message: "x", code: 0 });
    await expect(api().getMessage({ id: "2" })).rejects.toMatchObject({
      reason: "server_error",
      status: 500,
      retryable: true,
    });
    expect(sleeps).toEqual([250, 250, 500]);
  });

  it("reports an unreachable PluralKit as a retryable network error", async () => {
    for (let i = 0; i < 3; i++) {
      pool()
        .intercept({ path: path("3"), method: "GET" })
        .replyWithError(new Error("ECONNREFUSED"));
    }
    await expect(api().getMessage({ id: "3" })).rejects.toMatchObject({
      reason: "network",
      status: null,
      retryable: true,
    });
  });

  it("times out a slow answer", async () => {
    pool()
      .intercept({ path: path("4"), method: "GET" })
      .reply(200, message)
      .delay(500);
    await expect(api({ timeoutMs: 30, retries: 0 }).getMessage({ id: "4" })).rejects.toMatchObject({
      reason: "timeout",
      retryable: true,
    });
  });

  it("does not retry a 4xx, and flags a 404 without 20006 as a wrong base URL", async () => {
    pool()
      .intercept({ path: path("6"), method: "GET" })
      .reply(400, { message: "Missing User-Agent", code: 0 });
    await expect(api().getMessage({ id: "6" })).rejects.toMatchObject({
      reason: "http_error",
      status: 400,
      code: 0,
      retryable: false,
      message: "PluralKit answered 400: Missing User-Agent",
    });
    pool()
      .intercept({ path: path("6"), method: "GET" })
      .reply(404, "");
    await expect(api().getMessage({ id: "6" })).rejects.toMatchObject({
      reason: "invalid_response",
      status: 404,
    });
  });

  it("rejects an answer that is not a message", async () => {
    pool()
      .intercept({ path: path("6"), method: "GET" })
      .reply(200, { hello: "world" });
    await expect(api().getMessage({ id: "6" })).rejects.toMatchObject({
      reason: "invalid_response",
      retryable: false,
    });
  });

  it("stops waiting when the caller's signal aborts", async () => {
    pool()
      .intercept({ path: path("4"), method: "GET" })
      .reply(200, message)
      .delay(200);
    const controller = new AbortController();
    const pending = api().getMessage({ id: "4", signal: controller.signal });
    controller.abort(new Error("shutting down"));
    await expect(pending).rejects.toThrow("shutting down");
  });
});

describe("createPluralKitApi", () => {
  it("requires a User-Agent and an http(s) base URL", () => {
    expect(() => createPluralKitApi({ userAgent: " " })).toThrow(/userAgent is required/);
    expect(() => createPluralKitApi({ userAgent: UA, baseUrl: "pk.test" })).toThrow(/baseUrl/);
  });
});
