import { randomUUID } from "node:crypto";
import { systemScheduler } from "@guildkit/core/system";
import Redis from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createSharedStartGuard } from "../src/shared-start-guard";
import { maxStartsPerSecond } from "./helpers";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0 });
redis.on("error", () => {});
const available = await redis.connect().then(
  () => true,
  () => false,
);
if (!available && process.env.CI === "true") throw new Error(`Redis is not reachable at ${REDIS_URL}`);
afterAll(() => redis.disconnect());

describe.skipIf(!available)("the shared start guard (a clustered budget's starts, counted in Redis)", () => {
  it("admits at most rps starts in any window, whichever guard (process) asks, however late their timers fire", async () => {
    const key = `guildkit-test:${randomUUID()}`;
    // Three guards on one key stand for three processes; every start is asked for at once, as by
    // timers that all fired late together.
    const guards = [1, 2, 3].map(() =>
      createSharedStartGuard({
        client: async () => redis,
        key,
        rps: 3,
        windowMs: 1000,
        scheduler: systemScheduler,
        onError: (e) => {
          throw e;
        },
      }),
    );
    const admitted: number[] = [];
    await Promise.all(
      guards.flatMap((guard) =>
        [1, 2, 3].map(async () => {
          await guard.admit();
          admitted.push(Date.now());
        }),
      ),
    );
    expect(admitted).toHaveLength(9);
    expect(maxStartsPerSecond(admitted)).toBeLessThanOrEqual(3);
  }, 20_000);
});
