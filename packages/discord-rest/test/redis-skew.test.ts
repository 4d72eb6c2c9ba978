import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBottleneckLimiter } from "../src";
import { maxStartsPerSecond, REDIS_URL, redisAvailable, startWorld } from "./helpers";

const available = await redisAvailable("the clock-skew test");

let world: Awaited<ReturnType<typeof startWorld>>;
beforeAll(async () => {
  world = await startWorld({ routeLimits: { guild_roles: { limit: 100, windowMs: 1000 } } });
});
afterAll(async () => {
  await world?.close();
});

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe.skipIf(!available)("a Redis-clustered budget across processes whose clocks disagree", () => {
  it("holds, and stalls nobody, when one process's clock runs 30 s ahead: the scripts run on the Redis server's time", async () => {
    const { sim, demo } = world;
    const id = `guildkit-test-${randomUUID()}`;
    const limiter = createBottleneckLimiter({ rps: 4, redis: { url: REDIS_URL, id } });
    const client = world.client({ limiter });
    const since = Date.now();
    const child = spawn(
      process.execPath,
      ["--import", fixture("skew-clock.mjs"), "--import", "tsx", fixture("skewed-client.ts")],
      {
        env: {
          ...process.env,
          CLOCK_SKEW_MS: "30000",
          REDIS_URL,
          BUDGET_ID: id,
          BOT_TOKEN: demo.application.botToken,
          API: sim.apiBaseUrl,
          GUILD: demo.guildId,
        },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const exited = new Promise<number | null>((done) => child.once("exit", done));
    // Start once the child has joined the budget (its first request reached the simulator).
    await expect
      .poll(() => sim.inspect.requests({ route: "guild_roles", since }).length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    await Promise.all(Array.from({ length: 12 }, () => client.getGuildRoles({ guildId: demo.guildId })));
    expect(await exited).toBe(0);
    const times = sim.inspect.requests({ route: "guild_roles", since }).map((r) => r.at);
    expect(times).toHaveLength(24);
    expect(maxStartsPerSecond(times)).toBeLessThanOrEqual(4);
    // On the processes' own clocks the skewed one books every start 30 s ahead, and the others wait
    // 30 s for it: no gap between two starts may come near that.
    const sorted = [...times].sort((a, b) => a - b);
    const longestGap = Math.max(...sorted.slice(1).map((t, i) => t - sorted[i]!));
    expect(longestGap).toBeLessThan(5_000);
    await limiter.close?.();
  }, 60_000);
});
