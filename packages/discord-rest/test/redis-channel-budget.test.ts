import { randomUUID } from "node:crypto";
import { createFakeTime } from "@guildkit/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createRedisChannelBudget } from "../src/redis-channel-budget";
import { testRedis } from "./helpers";

const { redis, available } = await testRedis();
afterAll(() => redis.disconnect());

const NOW = new Date("2026-12-03T12:00:00.000Z");

/** A stand-in for `createChannelBudget` of the webhook core: `limit` messages, then a wait. */
const inProcess = (limit: number) => {
  let used = 0;
  return {
    async reserve() {
      if (used >= limit) return 1_000;
      used += 1;
      return 0;
    },
    async block() {},
  };
};

describe.skipIf(!available)("the Redis channel budget (workers share Discord's per-channel limit)", () => {
  it("two workers posting into one channel share its limit; another channel has its own", async () => {
    const keyPrefix = `guildkit-test:${randomUUID()}:`;
    // A long window: nothing expires during the test, whatever the machine's speed.
    const [a, b] = [1, 2].map(() =>
      createRedisChannelBudget({ client: redis, keyPrefix, limit: 3, windowMs: 60_000 }),
    );
    const taken = [];
    for (const budget of [a!, b!, a!, b!]) taken.push(await budget.reserve({ channelId: "100", now: NOW }));
    expect(taken.slice(0, 3)).toEqual([0, 0, 0]);
    // The fourth, from either worker, waits for the oldest to leave the window.
    expect(taken[3]).toBeGreaterThan(59_000);
    expect(await a!.reserve({ channelId: "200", now: NOW })).toBe(0);
  });

  it("a 429 one worker met blocks the channel for every worker until its retry_after ends", async () => {
    const keyPrefix = `guildkit-test:${randomUUID()}:`;
    const { clock } = createFakeTime(NOW);
    const [a, b] = [1, 2].map(() =>
      createRedisChannelBudget({ client: redis, keyPrefix, limit: 30, windowMs: 61_000, clock }),
    );
    await a!.block({ channelId: "100", until: new Date(NOW.getTime() + 5_000) });
    const wait = await b!.reserve({ channelId: "100", now: NOW });
    expect(wait).toBeGreaterThan(4_000);
    expect(wait).toBeLessThanOrEqual(5_000);
    // A shorter block does not shorten the longer one.
    await b!.block({ channelId: "100", until: new Date(NOW.getTime() + 1_000) });
    expect(await a!.reserve({ channelId: "100", now: NOW })).toBeGreaterThan(3_000);
  });

  it("while Redis does not answer it counts in the process (the fallback) and reports the error", async () => {
    const errors: unknown[] = [];
    const budget = createRedisChannelBudget({
      url: "redis://127.0.0.1:1",
      limit: 2,
      windowMs: 60_000,
      fallback: inProcess(2),
      onError: (e) => errors.push(e),
    });
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(await budget.reserve({ channelId: "100", now: NOW }));
    expect(taken.slice(0, 2)).toEqual([0, 0]);
    expect(taken[2]).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0);
    await budget.close();
  });
});
