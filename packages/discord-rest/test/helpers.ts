import {
  type DemoSeed,
  type DiscordSim,
  type DiscordSimOptions,
  seedDemo,
  startDiscordSim,
} from "@guildkit/discord-sim";
import Redis from "ioredis";
import { createDiscordRest, type DiscordRest, type DiscordRestOptions } from "../src";

/**
 * A connection to the test Redis (`REDIS_URL`, default 127.0.0.1:6379) and whether it answered; in
 * CI a Redis that does not answer fails the file instead of skipping it.
 */
export async function testRedis(): Promise<{ redis: Redis; available: boolean; url: string }> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  const available = await redis.connect().then(
    () => true,
    () => false,
  );
  if (!available && process.env.CI === "true") throw new Error(`Redis is not reachable at ${url}`);
  return { redis, available, url };
}

/** The most timestamps that fall in any half-open window [t, t + 1000). */
export function maxStartsPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  for (let right = 0; right < sorted.length; right++) {
    while (sorted[right]! - sorted[left]! >= 1000) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

/** A simulator seeded with the demo world, and a client pointed at it. */
export async function startWorld(simOptions: DiscordSimOptions = {}): Promise<{
  sim: DiscordSim;
  demo: DemoSeed;
  client(options?: Partial<DiscordRestOptions>): DiscordRest;
  close(): Promise<void>;
}> {
  const sim = await startDiscordSim(simOptions);
  const demo = seedDemo(sim);
  const clients: DiscordRest[] = [];
  return {
    sim,
    demo,
    client(options = {}) {
      const client = createDiscordRest({
        token: demo.application.botToken,
        apiBaseUrl: sim.apiBaseUrl,
        cdnBaseUrl: sim.cdnBaseUrl,
        rps: 50,
        ...options,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}

/** Where the Redis tests connect (`REDIS_URL`, default the machine's 6379). */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether Redis answers at {@link REDIS_URL}. Outside CI a file whose Redis is away is skipped with a
 * warning; with `CI=true` it throws instead.
 */
export async function redisAvailable(what: string): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0 });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    if (process.env.CI === "true") throw new Error(`Redis is not reachable at ${REDIS_URL}`);
    console.warn(`skipping ${what}: Redis is not reachable at ${REDIS_URL}`);
    return false;
  } finally {
    probe.disconnect();
  }
}
