import { randomUUID } from "node:crypto";
import { systemScheduler } from "@guildkit/core/system";
import { afterAll, describe, expect, it } from "vitest";
import { createSharedStartGuard } from "../src/shared-start-guard";
import { maxStartsPerSecond, testRedis } from "./helpers";

const { redis, available } = await testRedis();
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

  // Redis's TIME is the guard's clock, so these two run on real time with short windows; they
  // assert lower bounds only (a busy machine makes starts later, never earlier).
  const guardOn = (key: string) =>
    createSharedStartGuard({
      client: async () => redis,
      key,
      rps: 1,
      windowMs: 200,
      stallCapMs: 300,
      scheduler: systemScheduler,
      onError: (e) => {
        throw e;
      },
    });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("an unanswered start holds its slot as if it reached Discord stallCapMs late; its answer frees it", async () => {
    const guard = guardOn(`guildkit-test:${randomUUID()}`);
    const first = Date.now();
    await guard.admit(); // never answered: the request may still reach the server late
    await guard.admit();
    expect(Date.now() - first).toBeGreaterThanOrEqual(480);

    const other = guardOn(`guildkit-test:${randomUUID()}`);
    const answeredAt = Date.now();
    const done = await other.admit();
    done();
    await other.admit();
    // Answered at once: only the window (200 ms) holds the next start, not the stall cap.
    expect(Date.now() - answeredAt).toBeLessThan(480);
  }, 10_000);

  it("a process's first start (a cold connection: nothing to compare with) holds its slot for its whole round trip", async () => {
    const key = `guildkit-test:${randomUUID()}`;
    const started = Date.now();
    const answered = await guardOn(key).admit();
    await pause(150);
    answered();
    await pause(20);
    await guardOn(key).admit(); // another process
    expect(Date.now() - started).toBeGreaterThanOrEqual(330);
  }, 10_000);

  it("a start answered slower than the fastest round trip holds its slot for the excess, in every process", async () => {
    const key = `guildkit-test:${randomUUID()}`;
    const slow = guardOn(key);
    (await slow.admit())(); // the fastest round trip this process has seen: ~0 ms
    await pause(250);
    const started = Date.now();
    const answered = await slow.admit();
    await pause(150); // this request took 150 ms: it may have reached the server up to 150 ms late
    answered();
    await pause(20); // the answer's update reaches Redis
    await guardOn(key).admit(); // another process
    expect(Date.now() - started).toBeGreaterThanOrEqual(340);
  }, 10_000);
});
