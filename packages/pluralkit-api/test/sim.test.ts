import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPluralKitApi } from "../src/client";

const UA = "guildkit-tests/1.0 (+https://example.org)";
let sim: DiscordSim;

beforeAll(async () => {
  // A small window so a burst meets PluralKit's limiter without waiting out real seconds.
  sim = await startDiscordSim({ routeLimits: { pk_message: { limit: 3, windowMs: 300 } } });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
});

function seed(id: string, original: string, member: boolean = true) {
  sim.seed.pkMessage({
    id,
    original,
    sender: "80351110224678912",
    channel: "1200000000000000000",
    guild: "1100000000000000000",
    system: { id: "exmpl", uuid: "sys-uuid", name: "Sys", tag: "| PK", avatar_url: null },
    member: member
      ? {
          id: "abcde",
          uuid: "mem-uuid",
          name: "Alice",
          display_name: null,
          pronouns: "she/her",
          avatar_url: "https://example.org/a.png",
          webhook_avatar_url: null,
          color: null,
        }
      : null,
  });
}

describe("against discord-sim's PluralKit API", () => {
  it("looks a message up by its proxied id and by its original id, and answers null for others", async () => {
    seed("1300000000000000001", "1300000000000000000");
    const api = createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: UA });
    const byProxied = await api.getMessage({ id: "1300000000000000001" });
    expect(byProxied).toMatchObject({
      id: "1300000000000000001",
      original: "1300000000000000000",
      sender: "80351110224678912",
      member: { id: "abcde", uuid: "mem-uuid", name: "Alice", pronouns: "she/her" },
      system: { id: "exmpl", tag: "| PK" },
    });
    const fresh = createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: UA });
    expect((await fresh.getMessage({ id: "1300000000000000000" }))?.id).toBe("1300000000000000001");
    await expect(fresh.getMessage({ id: "1399999999999999999" })).resolves.toBeNull();
  });

  it("handles a deleted member", async () => {
    seed("1300000000000000011", "", false);
    const api = createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: UA });
    await expect(api.getMessage({ id: "1300000000000000011" })).resolves.toMatchObject({
      original: null,
      member: null,
    });
  });

  it("a client budget within the server's limit draws no 429", async () => {
    for (let i = 0; i < 5; i++) seed(`13000000000000001${i}0`, `13000000000000001${i}1`);
    // The sim allows 3 per 300 ms; a budget of 3/s (burst 3) stays inside it.
    const api = createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: UA, rps: 3, cacheSize: 0 });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api.getMessage({ id: `13000000000000001${i}0` })),
    );
    expect(results.every((r) => r !== null)).toBe(true);
    expect(api.stats().rateLimited).toBe(0);
    expect(sim.inspect.rateLimited().pluralkit).toBe(0);
  });

  it("honours the sim's 429 retry_after and still answers every lookup", async () => {
    for (let i = 0; i < 10; i++) seed(`13000000000000002${i}0`, `13000000000000002${i}1`);
    // A client allowed far more than the server: it must be told to wait, and wait.
    const api = createPluralKitApi({
      baseUrl: sim.pluralkitBaseUrl,
      userAgent: UA,
      rps: 1_000,
      rateLimitRetries: 20,
      cacheSize: 0,
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.getMessage({ id: `13000000000000002${i}0` })),
    );
    expect(results.every((r) => r !== null)).toBe(true);
    expect(sim.inspect.rateLimited().pluralkit).toBe(api.stats().rateLimited);
  });

  it("waits out a forced 429 and reports an outage as a retryable error", async () => {
    seed("1300000000000000031", "1300000000000000030");
    const api = createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: UA, retries: 1 });
    sim.faults.set({ route: "pk_message", force429: { count: 1, retryAfterMs: 40 } });
    await expect(api.getMessage({ id: "1300000000000000031" })).resolves.toMatchObject({
      id: "1300000000000000031",
    });
    expect(api.stats().rateLimited).toBe(1);
    sim.faults.clear();
    sim.faults.set({ route: "pk_message", errorRate: 1, errorStatuses: [503] });
    await expect(api.getMessage({ id: "1399999999999999990" })).rejects.toMatchObject({
      name: "PluralKitApiError",
      reason: "server_error",
      status: 503,
      retryable: true,
    });
  });
});
