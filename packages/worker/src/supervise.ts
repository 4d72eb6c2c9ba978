import type { Scheduler } from "@guildkit/core";
import { systemClock } from "@guildkit/core/system";
import type { WorkerContext, WorkerTask } from "./context";

/** The first wait before restarting a failed task; it doubles up to {@link RESTART_MAX_DELAY_MS}. */
export const RESTART_FIRST_DELAY_MS = 1_000;
/** The longest wait before restarting a failed task. */
export const RESTART_MAX_DELAY_MS = 60_000;
/** A task that ran this long before failing starts its backoff over. */
export const RESTART_RESET_AFTER_MS = 5 * 60_000;

/** Runs the worker's tasks and keeps them running. */
export interface TaskSupervisor {
  /** Runs every task until `signal` aborts; resolves once all have returned. Never rejects. */
  run(ctx: WorkerContext, signal: AbortSignal): Promise<void>;
  /** `null` while every task runs; else a sentence naming those that do not (for `/readyz`). */
  notRunning(): string | null;
}

/**
 * Supervises worker tasks: a task whose `run` rejects (or returns before shutdown) is logged at
 * error level and started again after a pause — 1 s, doubling up to 1 min, back to 1 s after a run
 * of 5 min — so a database outage or a bug in one round never ends the process. Shutdown (`signal`)
 * is the only way out.
 */
export function createTaskSupervisor(deps: {
  tasks: readonly WorkerTask[];
  /** The process log (a pino logger is one). */
  logger: {
    error(fields: Record<string, unknown>, message: string): void;
    warn(fields: Record<string, unknown>, message: string): void;
  };
  scheduler: Scheduler;
  now?: () => number;
}): TaskSupervisor {
  const now = deps.now ?? (() => systemClock.now().getTime());
  const states = new Map<string, "starting" | "running" | "restarting">(
    deps.tasks.map((task) => [task.name, "starting"]),
  );

  async function keepRunning(task: WorkerTask, ctx: WorkerContext, signal: AbortSignal): Promise<void> {
    for (let attempt = 1, delayMs = RESTART_FIRST_DELAY_MS; !signal.aborted; attempt++) {
      const started = now();
      states.set(task.name, "running");
      try {
        await task.run(ctx, signal);
        if (signal.aborted) return;
        deps.logger.warn(
          { task: task.name, attempt, restartInMs: delayMs },
          "worker task returned; restarting it",
        );
      } catch (error) {
        if (signal.aborted) return;
        deps.logger.error(
          { err: error, task: task.name, attempt, restartInMs: delayMs },
          "worker task failed; restarting it",
        );
      }
      states.set(task.name, "restarting");
      if (now() - started >= RESTART_RESET_AFTER_MS) delayMs = RESTART_FIRST_DELAY_MS;
      await deps.scheduler.sleep(delayMs, { signal }).catch(() => {});
      delayMs = Math.min(delayMs * 2, RESTART_MAX_DELAY_MS);
    }
  }

  return {
    async run(ctx, signal) {
      await Promise.all(deps.tasks.map((task) => keepRunning(task, ctx, signal)));
    },
    notRunning() {
      const waiting = [...states].filter(([, state]) => state !== "running");
      if (waiting.length === 0) return null;
      return `worker task(s) not running: ${waiting.map(([name, state]) => `${name} (${state})`).join(", ")}`;
    },
  };
}
