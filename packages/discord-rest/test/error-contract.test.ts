import {
  GuildkitError,
  isAbortError,
  isRetryableError,
  isTimeoutError,
  retryAfterMsOf,
} from "@guildkit/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDiscordOAuth,
  DiscordAbortError,
  DiscordApiError,
  DiscordNetworkError,
  DiscordOAuthError,
  DiscordRateLimitError,
  DiscordResponseError,
  DiscordTimeoutError,
  DiscordWebhookUrlError,
  parseWebhookUrl,
} from "../src";
import { startWorld } from "./helpers";

let world: Awaited<ReturnType<typeof startWorld>> | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** The contract of `@guildkit/core` (a `GuildkitError`), read only through its type guard. */
function contractOf(error: unknown) {
  expect(error).toBeInstanceOf(GuildkitError);
  expect(isRetryableError(error)).toBe(true);
  if (!isRetryableError(error)) throw new Error("not a RetryableError");
  return {
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    status: error.status,
    code: error.code,
  };
}

describe("the error contract of @guildkit/core, over real HTTP against discord-sim", () => {
  it("a 404 is a non-retryable DiscordApiError with Discord's JSON code", async () => {
    world = await startWorld();
    const error = await world
      .client()
      .getGuildRoles({ guildId: "999999999999999999" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect(contractOf(error)).toEqual({ retryable: false, retryAfterMs: null, status: 404, code: 10004 });
    expect(error).toMatchObject({ name: "DiscordApiError", route: "GET /guilds/:guild/roles" });
  });

  it("a 5xx after the retries is a retryable DiscordApiError", async () => {
    world = await startWorld();
    world.sim.faults.set({ route: "guild_roles", errorRate: 1, errorStatuses: [502] });
    const error = await world
      .client({ retries: 0 })
      .getGuildRoles({ guildId: world.demo.guildId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect(contractOf(error)).toMatchObject({ retryable: true, retryAfterMs: null, status: 502 });
  });

  it("a 429 beyond rateLimitRetries is a retryable DiscordRateLimitError with the server's wait", async () => {
    world = await startWorld();
    world.sim.faults.set({ route: "guild_roles", force429: { count: 5, retryAfterMs: 20 } });
    const error = await world
      .client({ rateLimitRetries: 0 })
      .getGuildRoles({ guildId: world.demo.guildId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordRateLimitError);
    expect(contractOf(error)).toMatchObject({ retryable: true, retryAfterMs: 20, status: 429 });
    expect(retryAfterMsOf(error)).toBe(20);
    expect(error).toMatchObject({ name: "DiscordRateLimitError", scope: "user", global: false });
  });

  it("a timeout is a retryable DiscordTimeoutError named TimeoutError", async () => {
    world = await startWorld();
    world.sim.faults.set({ route: "guild_roles", latencyMs: 2000 });
    const error = await world
      .client({ timeoutMs: 50, retries: 0 })
      .getGuildRoles({ guildId: world.demo.guildId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordTimeoutError);
    expect(contractOf(error)).toEqual({ retryable: true, retryAfterMs: null, status: null, code: null });
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ name: "TimeoutError", timeoutMs: 50 });
  });

  it("the caller's abort is a non-retryable DiscordAbortError named AbortError", async () => {
    world = await startWorld();
    const error = await world
      .client()
      .getGuildRoles({ guildId: world.demo.guildId, signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAbortError);
    expect(contractOf(error)).toEqual({ retryable: false, retryAfterMs: null, status: null, code: null });
    expect(isAbortError(error)).toBe(true);
  });

  it("a dropped connection after the retries is a retryable DiscordNetworkError", async () => {
    world = await startWorld();
    world.sim.faults.set({ route: "guild_roles", dropRate: 1 });
    const error = await world
      .client({ retries: 0 })
      .getGuildRoles({ guildId: world.demo.guildId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordNetworkError);
    expect(contractOf(error)).toEqual({ retryable: true, retryAfterMs: null, status: null, code: null });
  });

  it("a refused OAuth call is a DiscordOAuthError with its status", async () => {
    world = await startWorld();
    const oauth = createDiscordOAuth({
      clientId: world.demo.application.clientId,
      clientSecret: world.demo.application.clientSecret,
      apiBaseUrl: world.sim.apiBaseUrl,
    });
    const error = await oauth.getCurrentUser({ accessToken: "not-a-token" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordOAuthError);
    expect(contractOf(error)).toMatchObject({ retryable: false, retryAfterMs: null, status: 401 });
  });
});

describe("the error contract, for errors raised without a request", () => {
  it("a refused webhook URL and an unexpected body are non-retryable contract errors", () => {
    const url = (() => {
      try {
        parseWebhookUrl("https://example.com/api/webhooks/1/token");
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(url).toBeInstanceOf(DiscordWebhookUrlError);
    expect(contractOf(url)).toEqual({
      retryable: false,
      retryAfterMs: null,
      status: null,
      code: "invalid_webhook_url",
    });
    const body = new DiscordResponseError("x", { route: "GET /x", status: 200, issues: [] });
    expect(contractOf(body)).toEqual({ retryable: false, retryAfterMs: null, status: 200, code: null });
  });
});
