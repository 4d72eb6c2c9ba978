import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBottleneckLimiter } from "../src";
import { maxStartsPerSecond, REDIS_URL, redisAvailable, startWorld } from "./helpers";

const available = await redisAvailable("the clustered-limiter tests");

let world: Awaited<ReturnType<typeof startWorld>>;
beforeAll(async () => {
  // Route limits above the budget: this file is about the budget, not the buckets.
  world = await startWorld({ routeLimits: { guild_roles: { limit: 100, windowMs: 1000 } } });
});
afterAll(async () => {
  await world?.close();
});

describe.skipIf(!available)("a Redis-clustered budget (bottleneck datastore ioredis)", () => {
  it("is shared by two clients, as by two processes: at most rps starts in any second between them", async () => {
    const { sim, demo } = world;
    const id = `guildkit-test-${randomUUID()}`;
    const { hostname, port } = new URL(REDIS_URL);
    const limiters = [1, 2].map(() =>
      createBottleneckLimiter({ rps: 4, redis: { options: { host: hostname, port: Number(port) }, id } }),
    );
    const [a, b] = limiters.map((limiter) => world.client({ limiter }));
    const since = Date.now();
    const started = Date.now();
    await Promise.all(
      [a!, b!].flatMap((client) =>
        Array.from({ length: 12 }, () => client.getGuildRoles({ guildId: demo.guildId })),
      ),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const times = sim.inspect.requests({ route: "guild_roles", since }).map((r) => r.at);
    expect(times).toHaveLength(24);
    expect(maxStartsPerSecond(times)).toBeLessThanOrEqual(4);
    expect(elapsedS).toBeGreaterThan(5.5); // 24 starts, 4 per second, shared — not 4 per second each
    await Promise.all(limiters.map((l) => l.close?.()));
  }, 30_000);

  it("accepts a caller's ioredis client and leaves it open on close", async () => {
    const { demo } = world;
    const redis = new Redis(REDIS_URL);
    const limiter = createBottleneckLimiter({
      rps: 10,
      redis: { client: redis, id: `guildkit-test-${randomUUID()}` },
    });
    const client = world.client({ limiter });
    await Promise.all([1, 2, 3].map(() => client.getGuildRoles({ guildId: demo.guildId })));
    await limiter.close?.();
    expect(await redis.ping()).toBe("PONG");
    await redis.quit();
  });

  it("connects to the host and database a URL names: a budget on redis://…/7 keeps its keys in db 7, not db 0", async () => {
    const id = `guildkit-test-${randomUUID()}`;
    const inDb = (db: number) => {
      const url = new URL(REDIS_URL);
      url.pathname = `/${db}`;
      return url.toString();
    };
    const limiter = createBottleneckLimiter({ rps: 10, redis: { url: inDb(7), id } });
    expect(await limiter.schedule(async () => "ran")).toBe("ran");
    const db7 = new Redis(inDb(7));
    const db0 = new Redis(inDb(0));
    try {
      expect(await db7.exists(`b_${id}_settings`)).toBe(1);
      expect(await db0.exists(`b_${id}_settings`)).toBe(0);
      await limiter.close?.();
    } finally {
      await Promise.all([db7.quit(), db0.quit()]);
    }
  });
  it("recovers when its Redis keys are gone (Redis restarted empty, or unused past ttlMs) instead of failing every request", async () => {
    const id = `guildkit-test-${randomUUID()}`;
    const limiter = createBottleneckLimiter({ rps: 50, redis: { url: REDIS_URL, id } });
    const admin = new Redis(REDIS_URL);
    try {
      expect(await limiter.schedule(async () => "first")).toBe("first");
      const keys = await admin.keys(`b_${id}_*`);
      expect(keys.length).toBeGreaterThan(0);
      await admin.del(...keys);
      // Redis 7 answers `ERR SETTINGS_KEY_NOT_FOUND`; unpatched, bottleneck rejects this and every later job.
      expect(await limiter.schedule(async () => "after")).toBe("after");
      expect(await limiter.schedule(async () => "again")).toBe("again");
    } finally {
      admin.disconnect();
      await limiter.close?.();
    }
  }, 20_000);
});
