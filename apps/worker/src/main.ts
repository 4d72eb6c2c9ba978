// The reference worker process: reads the environment, opens the store, runs the worker's tasks
// (`runWorker` of `@guildkit/worker`) until SIGTERM.
import { createLogger, loadWorkerSettings, openStore, runWorker, shutdownSignal } from "@guildkit/worker";

const settings = loadWorkerSettings(process.env);
const logger = createLogger({ name: "guildkit-worker", level: settings.logLevel });
const store = await openStore(settings, { logger });
const signal = shutdownSignal((s) => logger.info({ signal: s }, "worker shutting down"), {
  onDeadline: (ms) => logger.error({ deadlineMs: ms }, "did not stop within the shutdown deadline; exiting"),
});
await runWorker({
  settings,
  store,
  logger,
  signal,
  onStarted: (_, tasks) =>
    console.log(`guildkit worker started (${tasks.map((t) => t.name).join(", ") || "no tasks"})`),
});
await store.close();
logger.info("worker stopped");
process.exit(0);
