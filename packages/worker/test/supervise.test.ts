import type { Scheduler } from "@guildkit/webhook-templates";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { WorkerContext, WorkerTask } from "../src/context";
import { createLogger } from "../src/logger";
import { registerRoleSyncMetrics } from "../src/role-sync";
import { createTaskSupervisor, RESTART_FIRST_DELAY_MS } from "../src/supervise";

/** A scheduler on fake time: every wait is recorded and resolves at once (or on abort). */
function fakeScheduler() {
  const waits: number[] = [];
  const scheduler: Scheduler = {
    sleep: async (ms) => {
      waits.push(ms);
    },
    setTimer: () => {
      throw new Error("the supervisor sets no timers");
    },
    clear: () => {},
  };
  return { scheduler, waits };
}

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    error: (fields: Record<string, unknown>, message: string) =>
      void lines.push({ level: "error", fields, message }),
    warn: (fields: Record<string, unknown>, message: string) =>
      void lines.push({ level: "warn", fields, message }),
  };
  return { logger, lines };
}

const ctx = { logger: createLogger({ name: "test", level: "silent" }) } as unknown as WorkerContext;

describe("the worker's task supervisor", () => {
  it("restarts a task that fails (the database went away) with growing pauses, logs each failure, and stops on shutdown", async () => {
    const { scheduler, waits } = fakeScheduler();
    const { logger, lines } = recordingLogger();
    const stop = new AbortController();
    let runs = 0;
    const flaky: WorkerTask = {
      name: "flaky",
      async run(_ctx, signal) {
        runs++;
        if (runs <= 3) throw new Error("Connection terminated unexpectedly");
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true }),
        );
      },
    };
    const supervisor = createTaskSupervisor({ tasks: [flaky], logger, scheduler });
    expect(supervisor.notRunning()).toBe("worker task(s) not running: flaky (starting)");
    const running = supervisor.run(ctx, stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(4);
    expect(waits).toEqual([RESTART_FIRST_DELAY_MS, 2 * RESTART_FIRST_DELAY_MS, 4 * RESTART_FIRST_DELAY_MS]);
    expect(lines.map((l) => [l.level, l.message, l.fields.task])).toEqual([
      ["error", "worker task failed; restarting it", "flaky"],
      ["error", "worker task failed; restarting it", "flaky"],
      ["error", "worker task failed; restarting it", "flaky"],
    ]);
    expect(supervisor.notRunning()).toBeNull();
    stop.abort();
    await running;
    expect(runs).toBe(4);
  });

  it("a task waiting to be restarted keeps the worker not ready, naming it", async () => {
    let release = () => {};
    const scheduler: Scheduler = {
      ...fakeScheduler().scheduler,
      sleep: () => new Promise<void>((resolve) => (release = resolve)),
    };
    const stop = new AbortController();
    const broken: WorkerTask = {
      name: "broken",
      run: async () => {
        throw new Error("boom");
      },
    };
    const steady: WorkerTask = {
      name: "steady",
      run: (_ctx, signal) =>
        new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
    };
    const supervisor = createTaskSupervisor({
      tasks: [broken, steady],
      logger: recordingLogger().logger,
      scheduler,
    });
    const running = supervisor.run(ctx, stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(supervisor.notRunning()).toBe("worker task(s) not running: broken (restarting)");
    stop.abort();
    release();
    await running;
  });

  it("a restarted role-sync task registers its gauges again without a duplicate-metric error", async () => {
    const registry = new Registry();
    const sources = (blocks: number) => ({
      reconciler: {
        blocks: () => Array.from({ length: blocks }, () => ({ scope: { kind: "role" } })) as never[],
      },
      store: { countByState: async () => ({ ok: 2 }) },
    });
    registerRoleSyncMetrics(registry, sources(1));
    registerRoleSyncMetrics(registry, sources(3));
    const text = await registry.metrics();
    expect(text).toMatch(/guildkit_role_sync_blocks\{scope="role"\} 3/);
    expect(text).toMatch(/guildkit_role_sync_members\{state="ok"\} 2/);
  });
});
