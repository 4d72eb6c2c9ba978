import { createFakeTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import type { WorkerContext } from "../src/context";
import { createRetentionTask } from "../src/retention";

function context(
  purge: (opts: unknown) => Promise<{ deliveredEvents: number; eventLog: number; statements: number }>,
) {
  const lines: { level: string; msg: string }[] = [];
  const log = (level: string) => (_obj: unknown, msg: string) => void lines.push({ level, msg });
  const ctx = {
    store: { retention: { purge } },
    logger: { info: log("info"), warn: log("warn"), debug: log("debug"), error: log("error") },
  } as unknown as WorkerContext;
  return { ctx, lines };
}

describe("the retention task", () => {
  it("purges at start and then every interval, with the given policy, until stopped", async () => {
    const time = createFakeTime(0);
    const calls: unknown[] = [];
    const { ctx, lines } = context(async (opts) => {
      calls.push((opts as { policy?: unknown }).policy);
      return { deliveredEvents: 3, eventLog: 1, statements: 3 };
    });
    const stop = new AbortController();
    const task = createRetentionTask({
      intervalMs: 60_000,
      policy: { batchSize: 10 },
      scheduler: time.scheduler,
    });
    const running = task.run(ctx, stop.signal);
    await time.flush();
    expect(calls).toHaveLength(1);
    await time.advance(59_999);
    expect(calls).toHaveLength(1);
    await time.advance(1);
    expect(calls).toEqual([{ batchSize: 10 }, { batchSize: 10 }]);
    expect(lines.filter((l) => l.msg === "retention: purged old rows")).toHaveLength(2);
    stop.abort();
    await running;
  });

  it("logs a failed purge and tries again at the next interval", async () => {
    const time = createFakeTime(0);
    let n = 0;
    const { ctx, lines } = context(async () => {
      n += 1;
      if (n === 1) throw new Error("database is down");
      return { deliveredEvents: 0, eventLog: 0, statements: 2 };
    });
    const stop = new AbortController();
    const running = createRetentionTask({ intervalMs: 1000, scheduler: time.scheduler }).run(
      ctx,
      stop.signal,
    );
    await time.advance(1000);
    expect(n).toBe(2);
    expect(lines).toEqual([{ level: "warn", msg: "retention purge failed; retrying at the next interval" }]);
    stop.abort();
    await running;
  });
});
