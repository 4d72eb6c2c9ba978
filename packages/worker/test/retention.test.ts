import { createFakeTime } from "@guildkit/core/testing";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore } from "@guildkit/store-testkit";
import { describe, expect, it } from "vitest";
import type { WorkerContext } from "../src/context";
import { createRetentionTask } from "../src/retention";

function context(
  purge: (opts: unknown) => Promise<{ deliveredEvents: number; eventLog: number; statements: number }>,
) {
  const lines: { level: string; msg: string }[] = [];
  const log = (level: string) => (_obj: unknown, msg: string) => void lines.push({ level, msg });
  const ctx = {
    store: { retention: { purge }, adminSessions: { purgeExpired: async () => 0 } },
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

  it("deletes expired admin console sessions and keeps live ones (a real store)", async () => {
    const handle = await createSqliteTestStore(sqlite);
    try {
      const now = new Date("2026-12-03T12:00:00.000Z");
      const time = createFakeTime(now);
      for (const [idHash, expiresIn] of [
        ["e".repeat(43), -1_000],
        ["l".repeat(43), 60_000],
      ] as const)
        await handle.store.adminSessions.create({
          idHash,
          memberId: "admin",
          createdAt: new Date(now.getTime() - 3_600_000),
          expiresAt: new Date(now.getTime() + expiresIn),
        });
      const lines: { msg: string; fields: unknown }[] = [];
      const log = (fields: unknown, msg: string) => void lines.push({ fields, msg });
      const ctx = {
        store: handle.store,
        logger: { info: log, warn: log, debug: log, error: log },
      } as unknown as WorkerContext;
      const stop = new AbortController();
      const running = createRetentionTask({ scheduler: time.scheduler, clock: time.clock }).run(
        ctx,
        stop.signal,
      );
      await time.flush();
      stop.abort();
      await running;
      const left = await handle.db.selectFrom("admin_sessions").select("id_hash").execute();
      expect(left.map((r) => r.id_hash)).toEqual(["l".repeat(43)]);
      expect(lines).toEqual([
        { msg: "retention: purged old rows", fields: expect.objectContaining({ adminSessions: 1 }) },
      ]);
    } finally {
      await handle.teardown();
    }
  });
});
