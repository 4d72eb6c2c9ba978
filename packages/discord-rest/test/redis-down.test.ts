import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createBottleneckLimiter } from "../src";
import { maxStartsPerSecond } from "./helpers";

/** A redis-server of this file's own (the shared one on 6379 is never stopped). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const hasRedis = await new Promise<boolean>((done) => {
  const probe = spawn("redis-server", ["--version"], { stdio: "ignore" });
  probe.once("error", () => done(false));
  probe.once("exit", (code) => done(code === 0));
});
if (!hasRedis && process.env.CI === "true") throw new Error("redis-server is not installed");

let child: ChildProcess | null = null;
const port = await freePort();
async function startRedis(): Promise<void> {
  child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const { default: Redis } = await import("ioredis");
  for (let i = 0; i < 200; i++) {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    const up = await probe.connect().then(
      () => probe.ping().then(() => true),
      () => false,
    );
    probe.disconnect();
    if (up) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("redis-server did not start");
}
async function killRedis(): Promise<void> {
  const running = child;
  child = null;
  if (!running) return;
  const exited = new Promise((r) => running.once("exit", r));
  running.kill("SIGKILL");
  await exited;
}
afterAll(killRedis);

describe.skipIf(!hasRedis)("a Redis-clustered budget whose Redis goes away", () => {
  it("keeps sending on a conservative budget of its own while Redis is down, and shares Redis's again once it is back (emptied)", async () => {
    await startRedis();
    const errors: unknown[] = [];
    const limiter = createBottleneckLimiter({
      rps: 50,
      redis: { options: { port, host: "127.0.0.1" }, id: `guildkit-test-${randomUUID()}`, fallbackRps: 20 },
      onError: (e) => errors.push(e),
    });
    try {
      expect(await limiter.schedule(async () => "before")).toBe("before");
      await killRedis();
      // Give ioredis the moment to notice the closed connection.
      await expect
        .poll(async () => limiter.schedule(async () => "during"), { timeout: 5_000, interval: 50 })
        .toBe("during");
      const during = await Promise.all([1, 2, 3].map((n) => limiter.schedule(async () => n)));
      expect(during).toEqual([1, 2, 3]);
      await startRedis(); // restarted empty: the budget's keys and scripts are gone
      await expect
        .poll(async () => limiter.schedule(async () => "after"), { timeout: 10_000, interval: 100 })
        .toBe("after");
    } finally {
      await limiter.close?.();
    }
  }, 30_000);

  it("two processes reconnecting one after the other never send more than rps in a second together", async () => {
    await killRedis(); // the test before leaves its Redis running
    await startRedis();
    const id = `guildkit-test-${randomUUID()}`;
    // rps 3, 1 per second each while Redis is away: 2 × 1 ≤ 3, and one process back on the shared
    // budget beside one still on its fallback would make 3 + 1.
    // One reconnects within 100 ms, the other only after up to 2 s (ioredis's longest default wait).
    const limiters = [100, 2_000].map((retryMs) =>
      createBottleneckLimiter({
        rps: 3,
        redis: { options: { port, host: "127.0.0.1", retryStrategy: () => retryMs }, id, fallbackRps: 1 },
      }),
    );
    const starts: number[] = [];
    let stop = false;
    // Three callers per process keep both queues full.
    const load = limiters.flatMap((limiter) =>
      [1, 2, 3].map(async () => {
        while (!stop) {
          await limiter.schedule(async () => {
            starts.push(performance.now());
          });
        }
      }),
    );
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      await killRedis();
      // Long enough for ioredis's reconnect attempts to spread (50 ms more each time).
      await new Promise((r) => setTimeout(r, 6_000));
      await startRedis();
      await new Promise((r) => setTimeout(r, 6_000));
    } finally {
      stop = true;
      for (const limiter of limiters) await limiter.close?.();
      await Promise.allSettled(load);
    }
    expect(starts.length).toBeGreaterThan(20);
    expect(maxStartsPerSecond(starts)).toBeLessThanOrEqual(3);
  }, 40_000);
});
