import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { systemScheduler } from "@guildkit/core/system";
import {
  checkReadiness,
  createLogger,
  createMetrics,
  loadWorkerSettings,
  migrateWhenReachable,
  openStore,
  serveMetrics,
  shutdownSignal,
} from "@guildkit/runtime";
import type { WorkerContext } from "./context";
import { createTaskSupervisor } from "./supervise";
import { tasks } from "./tasks";

const settings = loadWorkerSettings(process.env);
const logger = createLogger({ name: "guildkit-worker", level: settings.logLevel });
const store = await openStore(settings, { logger });
const signal = shutdownSignal((s) => logger.info({ signal: s }, "worker shutting down"), {
  onDeadline: (ms) => logger.error({ deadlineMs: ms }, "did not stop within the shutdown deadline; exiting"),
});
const supervisor = createTaskSupervisor({ tasks, logger, scheduler: systemScheduler });
const metrics = createMetrics("worker");
// The tasks' gauges, liveness and readiness, for a worker that has no HTTP server of its own.
// Served before migrating: while the database is away, /healthz answers and /readyz says why.
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

// A database that is not up yet (or restarting) is waited for, not a reason to exit.
if (await migrateWhenReachable(store, { logger, signal })) {
  const ctx: WorkerContext = {
    settings,
    store,
    logger,
    metrics,
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  };
  logger.info({ workerId: ctx.workerId, tasks: tasks.map((t) => t.name) }, "worker started");
  console.log(`guildkit worker started (${tasks.map((t) => t.name).join(", ") || "no tasks"})`);
  // Each task runs until shutdown; one that fails is logged and restarted, never the process's end.
  await supervisor.run(ctx, signal);
  if (tasks.length === 0) {
    // Nothing to run: stay up (an awaited sleep keeps the event loop alive) until told to stop.
    await systemScheduler.sleep(Number.MAX_SAFE_INTEGER, { signal });
  }
}
await metricsServer?.close();
await store.close();
logger.info("worker stopped");
process.exit(0);
