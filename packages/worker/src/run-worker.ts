import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { WorkerSettings } from "@guildkit/config";
import type { Scheduler } from "@guildkit/core";
import { systemScheduler } from "@guildkit/core/system";
import type { Registry } from "prom-client";
import type { WorkerContext, WorkerTask } from "./context";
import { createDatabaseClock, type DatabaseClock } from "./database-clock";
import { checkReadiness } from "./health";
import type { Logger } from "./logger";
import { createMetrics, serveMetrics } from "./metrics";
import { migrateWhenReachable, type WorkerStore } from "./store";
import { createTaskSupervisor } from "./supervise";
import { tasks as defaultTasks } from "./tasks";

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** The worker's process settings (`parseWorkerSettings` of `@guildkit/config`). */
  settings: WorkerSettings;
  /** The store the tasks work on (`openStore(settings)`, or a store of your own); you close it. */
  store: WorkerStore;
  logger: Logger;
  /** The tasks to run (default {@link defaultTasks}: role sync, webhook delivery, the purges). */
  tasks?: readonly WorkerTask[];
  /** The tasks' gauges; default `createMetrics("worker")`, served on `settings.metricsPort` when set. */
  metrics?: Registry;
  /** Lease owner; default `<hostname>:<pid>:<random>`. */
  workerId?: string;
  scheduler?: Scheduler;
  /** Told once the database is migrated and the tasks start. */
  onStarted?: (ctx: WorkerContext, tasks: readonly WorkerTask[]) => void;
  /** Stops the worker (SIGTERM: `shutdownSignal()`). */
  signal: AbortSignal;
}

/**
 * Runs a worker until `signal` aborts: serves `/metrics`, `/healthz` and `/readyz` on
 * `settings.metricsPort` (before migrating, so they answer while the database is away), migrates
 * once the database answers (`migrateWhenReachable`), then runs every task under the supervisor (a
 * task that fails is logged and restarted, never the process's end). Resolves once every task has
 * stopped and the metrics server is closed.
 */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const { settings, store, logger, signal } = options;
  const tasks = options.tasks ?? defaultTasks;
  const scheduler = options.scheduler ?? systemScheduler;
  const metrics = options.metrics ?? createMetrics("worker");
  const supervisor = createTaskSupervisor({ tasks, logger, scheduler });
  const metricsServer =
    settings.metricsPort === null
      ? null
      : await serveMetrics({
          registry: metrics,
          port: settings.metricsPort,
          token: settings.metricsToken,
          ping: (io) => store.ping(io),
          ready: () => checkReadiness(store, { notStarted: supervisor.notRunning }),
        });
  if (metricsServer) {
    logger.info({ port: metricsServer.port }, "worker metrics on /metrics, /healthz and /readyz");
  }
  let clock: DatabaseClock | null = null;
  try {
    // A database that is not up yet (or restarting) is waited for, not a reason to exit.
    if (!(await migrateWhenReachable(store, { logger, signal, scheduler }))) return;
    clock = await createDatabaseClock({
      read: (io) => store.databaseTime(io),
      scheduler,
      onError: (err) => logger.warn({ err }, "reading the database's clock failed; keeping the last offset"),
    });
    if (Math.abs(clock.offsetMs()) >= 1_000) {
      logger.warn(
        { offsetMs: clock.offsetMs() },
        "this machine's clock is off the database server's; the worker keeps to the database's",
      );
    }
    const ctx: WorkerContext = {
      settings,
      store,
      logger,
      metrics,
      clock,
      workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    };
    logger.info({ workerId: ctx.workerId, tasks: tasks.map((t) => t.name) }, "worker started");
    options.onStarted?.(ctx, tasks);
    await supervisor.run(ctx, signal);
    if (tasks.length === 0) {
      // Nothing to run: stay up (an awaited sleep keeps the event loop alive) until told to stop.
      await scheduler.sleep(Number.MAX_SAFE_INTEGER, { signal }).catch(() => {});
    }
  } finally {
    clock?.stop();
    await metricsServer?.close();
  }
}
