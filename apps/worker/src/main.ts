import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  createLogger,
  createMetrics,
  loadWorkerSettings,
  openStore,
  serveMetrics,
  shutdownSignal,
} from "@guildkit/runtime";
import type { WorkerContext } from "./context";
import { tasks } from "./tasks";

const settings = loadWorkerSettings(process.env);
const logger = createLogger({ name: "guildkit-worker", level: settings.logLevel });
const store = await openStore(settings);
await store.migrate();

const ctx: WorkerContext = {
  settings,
  store,
  logger,
  metrics: createMetrics("worker"),
  workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
};
const signal = shutdownSignal((s) => logger.info({ signal: s }, "worker shutting down"));
// The tasks' gauges and a health check, for a worker that has no HTTP server of its own.
const metricsServer =
  settings.metricsPort === null
    ? null
    : await serveMetrics({
        registry: ctx.metrics,
        port: settings.metricsPort,
        token: settings.metricsToken,
        ping: () => store.ping(),
      });
if (metricsServer) logger.info({ port: metricsServer.port }, "worker metrics on /metrics and /healthz");

logger.info({ workerId: ctx.workerId, tasks: tasks.map((t) => t.name) }, "worker started");
console.log(`guildkit worker started (${tasks.map((t) => t.name).join(", ") || "no tasks"})`);
const results = await Promise.allSettled(
  tasks.map(async (task) => {
    try {
      await task.run(ctx, signal);
    } catch (error) {
      logger.error({ err: error, task: task.name }, "worker task failed");
      throw error;
    }
  }),
);
if (tasks.length === 0) {
  // Nothing to run: stay up (a timer keeps the event loop alive) until told to stop.
  const keepAlive = setInterval(() => {}, 60_000);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  clearInterval(keepAlive);
}
await metricsServer?.close();
await store.close();
logger.info("worker stopped");
process.exit(results.some((r) => r.status === "rejected") ? 1 : 0);
