import { parseWorkerSettings } from "@guildkit/config";
import { createFakeTime } from "@guildkit/core/testing";
import { TEST_SECRET_KEY } from "@guildkit/store-testkit";
import { describe, expect, it, vi } from "vitest";
import type { WorkerContext } from "../src/context";
import { createLogger } from "../src/logger";
import { createMetrics } from "../src/metrics";
import { roleSyncTask } from "../src/role-sync";
import type { WorkerStore } from "../src/store";
import { createRoundRecorder } from "../src/task-status";
import { seededGuild } from "./role-sync-harness";

describe("createRoundRecorder", () => {
  it("writes every busy round, idle rounds at most once a minute, never two writes at once (newest wins)", async () => {
    const time = createFakeTime(new Date("2026-12-03T10:00:00.000Z"));
    const written: unknown[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let release: (() => void) | null = null;
    const store = {
      async record(input: { summary: Record<string, unknown> }) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        written.push(input.summary);
        inFlight -= 1;
      },
    };
    const rounds = createRoundRecorder({ store, task: "role-sync", worker: "w1", clock: time.clock });
    const drain = async () => {
      while (release) {
        const r = release as () => void;
        release = null;
        r();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await rounds.flush();
    };
    rounds.round({ n: 1 }, true);
    rounds.round({ n: 2 }, true); // while 1 is being written
    rounds.round({ n: 3 }, true); // replaces 2
    await drain();
    expect(written).toEqual([{ n: 1 }, { n: 3 }]);
    expect(maxInFlight).toBe(1);

    rounds.round({ n: 4 }, false); // idle, written less than a minute ago: skipped
    await drain();
    await time.advance(60_000);
    rounds.round({ n: 5 }, false); // idle heartbeat
    await drain();
    rounds.round({ n: 6 }, true);
    await drain();
    expect(written).toEqual([{ n: 1 }, { n: 3 }, { n: 5 }, { n: 6 }]);
  });

  it("a failing write never throws into the task; the next round writes again", async () => {
    const time = createFakeTime(new Date("2026-12-03T10:00:00.000Z"));
    let fail = true;
    const written: unknown[] = [];
    const store = {
      async record(input: { summary: Record<string, unknown> }) {
        if (fail) throw new Error("database away");
        written.push(input.summary);
      },
    };
    const debug = vi.fn();
    const rounds = createRoundRecorder({ store, task: "t", worker: "w", clock: time.clock, log: { debug } });
    rounds.round({ n: 1 }, true);
    await rounds.flush();
    fail = false;
    rounds.round({ n: 2 }, true);
    await rounds.flush();
    expect(written).toEqual([{ n: 2 }]);
    expect(debug).toHaveBeenCalledOnce();
  });
});

it("the role-sync task records its last round in store.taskStatus (what the console shows)", async () => {
  const g = await seededGuild({ count: 6 });
  const ctx: WorkerContext = {
    settings: parseWorkerSettings({
      DATABASE_URL: g.filename,
      GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
      DISCORD_API_BASE_URL: g.sim.apiBaseUrl,
      DISCORD_CDN_BASE_URL: g.sim.cdnBaseUrl,
    }),
    store: g.store as WorkerStore,
    logger: createLogger({ name: "test", level: "silent" }),
    metrics: createMetrics("test"),
    workerId: "worker-under-test",
  };
  const stop = new AbortController();
  const running = roleSyncTask.run(ctx, stop.signal);
  try {
    await vi.waitFor(
      async () => {
        const round = await g.store.taskStatus.read("role-sync");
        expect(round?.summary.processed).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 50 },
    );
  } finally {
    stop.abort();
    await running;
  }
  const round = await g.store.taskStatus.read("role-sync");
  expect(round).toMatchObject({ task: "role-sync", worker: "worker-under-test" });
  expect(Object.keys(round?.summary ?? {})).toEqual(
    expect.arrayContaining(["processed", "added", "removed", "notInGuild", "discordCalls", "blockedUntil"]),
  );
  expect(JSON.stringify(round?.summary)).not.toMatch(/token|decision/i);
  await g.close();
});
