import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxStartsPerSecond, startWorld } from "./helpers";

/**
 * The acceptance test of the request budget, at the default budget (3 requests per second) and
 * Discord's real route limits: 100 requests queued at once must reach Discord at most 3 in any
 * second. It waits out the budget for real (~34 s); the same property is checked on fake time, at
 * other budgets and bursts, in src/limiter.test.ts.
 */
let world: Awaited<ReturnType<typeof startWorld>>;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

describe("the default request budget", () => {
  it("with 100 requests queued, at most 3 start in any second", { timeout: 90_000 }, async () => {
    const { sim, demo } = world;
    const rest = world.client({ rps: undefined }); // undefined: the default budget
    const started = Date.now();
    const members = await Promise.all(
      Array.from({ length: 100 }, () =>
        rest.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice }),
      ),
    );
    const elapsedS = (Date.now() - started) / 1000;
    expect(members.every((m) => m?.user.id === demo.users.alice)).toBe(true);
    const times = sim.inspect.requests({ route: "get_member" }).map((r) => r.at);
    expect(times).toHaveLength(100);
    expect(maxStartsPerSecond(times)).toBe(3);
    // The budget is used, not wasted: 100 starts 340 ms apart take ~33.7 s.
    expect(elapsedS).toBeGreaterThan(33);
    expect(elapsedS).toBeLessThan(36);
    expect(sim.inspect.rateLimited().total).toBe(0);
    expect(rest.stats()).toMatchObject({ requests: 100, retries: 0, rateLimited: { total: 0 } });
  });
});
