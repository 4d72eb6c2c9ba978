import { randomUUID } from "node:crypto";
import { systemClock } from "@guildkit/core/system";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryInvalidRequestLedger,
  createRedisInvalidRequestLedger,
  DiscordApiError,
  DiscordBanGuardError,
  type InvalidRequestLedger,
} from "../src";
import { REDIS_URL, redisAvailable, startWorld } from "./helpers";

const available = await redisAvailable("the Redis ban-guard tests");

let world: Awaited<ReturnType<typeof startWorld>>;
beforeAll(async () => {
  // Route limits above the storm: this file is about invalid requests, not buckets.
  world = await startWorld({ routeLimits: { member_role: { limit: 1000, windowMs: 1000 } } });
});
afterAll(async () => {
  await world?.close();
});

/** What every ledger does, whatever it counts in (time-free cases: Redis keeps its own clock). */
function ledgerCases(name: string, make: () => InvalidRequestLedger) {
  describe(`${name} (the ledger contract)`, () => {
    it("counts what is added and says how long until the window falls below a count", async () => {
      const ledger = make();
      try {
        expect(await ledger.count()).toBe(0);
        expect(await ledger.add()).toBe(1);
        expect(await ledger.add()).toBe(2);
        expect(await ledger.count()).toBe(2);
        expect(await ledger.msUntilBelow(3)).toBe(0);
        const wait = await ledger.msUntilBelow(1);
        expect(wait).toBeGreaterThan(50_000);
        expect(wait).toBeLessThanOrEqual(61_000);
      } finally {
        await ledger.close?.();
      }
    });
  });
}

ledgerCases("the memory ledger", () =>
  createMemoryInvalidRequestLedger({ clock: systemClock, windowMs: 60_000 }),
);
describe.skipIf(!available)("Redis", () => {
  ledgerCases("the Redis ledger", () =>
    createRedisInvalidRequestLedger({
      url: REDIS_URL,
      key: `guildkit-test:${randomUUID()}`,
      windowMs: 60_000,
    }),
  );

  it("a 403 storm from four clients sharing one Redis count stops at stopAt, read from the simulator", async () => {
    const { sim, demo } = world;
    const high = sim.seed.role({ guildId: demo.guildId, name: "Above the bot", position: 90 });
    const key = `guildkit-test:${randomUUID()}`;
    const lines: Record<string, unknown>[] = [];
    const clients = [1, 2, 3, 4].map(() =>
      world.client({
        banGuard: {
          ledger: createRedisInvalidRequestLedger({ url: REDIS_URL, key }),
          slowAt: 30,
          stopAt: 40,
          maxSlowdownMs: 20,
        },
        logger: {
          debug() {},
          warn: (message, data) => void (message === "discord.ban_guard" && lines.push(data ?? {})),
        },
      }),
    );
    const before = sim.inspect.invalidRequests();
    const outcomes = await Promise.all(
      clients.map(async (client) => {
        const seen = { refused: 0, forbidden: 0 };
        for (let i = 0; i < 25; i++) {
          try {
            await client.addGuildMemberRole({
              guildId: demo.guildId,
              userId: demo.users.alice,
              roleId: high.id,
            });
          } catch (error) {
            if (error instanceof DiscordBanGuardError) seen.refused += 1;
            else if (error instanceof DiscordApiError && error.status === 403) seen.forbidden += 1;
            else throw error;
          }
        }
        return seen;
      }),
    );
    const sent = sim.inspect.invalidRequests() - before;
    // 100 calls asked for; calls in flight in every client reserve their place, so Discord sees
    // exactly the stop threshold.
    expect(sent).toBe(40);
    expect(outcomes.reduce((n, o) => n + o.forbidden, 0)).toBe(sent);
    expect(outcomes.reduce((n, o) => n + o.refused, 0)).toBe(100 - sent);
    expect(clients.every((c) => c.stats().banGuard?.state === "stopped")).toBe(true);
    expect(lines.some((l) => l.state === "stopped")).toBe(true);
  }, 30_000);
});
