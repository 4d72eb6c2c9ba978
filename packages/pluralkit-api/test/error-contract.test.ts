import { GuildkitError, isRetryableError, retryAfterMsOf } from "@guildkit/core";
import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPluralKitApi, PluralKitApiError } from "../src";

const UA = "guildkit-tests/1.0 (+https://example.org)";
const ID = "1300000000000000001";
let sim: DiscordSim;

beforeAll(async () => {
  sim = await startDiscordSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
});

/** The contract of `@guildkit/core` (a `GuildkitError`), read only through its type guard. */
function contractOf(error: unknown) {
  expect(error).toBeInstanceOf(PluralKitApiError);
  expect(error).toBeInstanceOf(GuildkitError);
  if (!isRetryableError(error)) throw new Error("not a RetryableError");
  return {
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    status: error.status,
    code: error.code,
  };
}

describe("PluralKitApiError follows the error contract of @guildkit/core, over real HTTP against discord-sim", () => {
  it("a 429 beyond rateLimitRetries is retryable, with PluralKit's wait", async () => {
    sim.faults.set({ route: "pk_message", force429: { count: 5, retryAfterMs: 40 } });
    const api = createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: UA, rateLimitRetries: 0 });
    const error = await api.getMessage({ id: ID }).catch((e: unknown) => e);
    expect(contractOf(error)).toMatchObject({ retryable: true, retryAfterMs: 40, status: 429 });
    expect(retryAfterMsOf(error)).toBe(40);
    expect(error).toMatchObject({ name: "PluralKitApiError", reason: "rate_limited", messageId: ID });
  });

  it("a 5xx after the retries is retryable", async () => {
    sim.faults.set({ route: "pk_message", errorRate: 1, errorStatuses: [503] });
    const api = createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: UA, retries: 0 });
    const error = await api.getMessage({ id: ID }).catch((e: unknown) => e);
    expect(contractOf(error)).toMatchObject({ retryable: true, retryAfterMs: null, status: 503 });
    expect(error).toMatchObject({ reason: "server_error" });
  });

  it("a 404 that is not PluralKit's 'not found' (a wrong base URL) is not retryable", async () => {
    const api = createPluralKitApi({ baseUrl: `${sim.url}/not-pluralkit`, userAgent: UA });
    const error = await api.getMessage({ id: ID }).catch((e: unknown) => e);
    expect(contractOf(error)).toMatchObject({ retryable: false, retryAfterMs: null, status: 404 });
    expect(error).toMatchObject({ reason: "invalid_response" });
  });

  it("a timeout is retryable and has no status", async () => {
    sim.faults.set({ route: "pk_message", latencyMs: 2_000 });
    const api = createPluralKitApi({
      baseUrl: sim.pluralkitBaseUrl,
      userAgent: UA,
      timeoutMs: 50,
      retries: 0,
    });
    const error = await api.getMessage({ id: ID }).catch((e: unknown) => e);
    expect(contractOf(error)).toEqual({ retryable: true, retryAfterMs: null, status: null, code: null });
    expect(error).toMatchObject({ reason: "timeout" });
  });
});
