import {
  createLogger,
  createMetrics,
  loadProcessSettings,
  migrateWhenReachable,
  openStore,
  shutdownSignal,
} from "@guildkit/runtime";
import { startServer } from "./serve";

const settings = loadProcessSettings(process.env);
const logger = createLogger({ name: "guildkit-server", level: settings.logLevel });
const store = await openStore(settings, { logger });
const signal = shutdownSignal((s) => logger.info({ signal: s }, "shutting down"), {
  onDeadline: (ms) => logger.error({ deadlineMs: ms }, "did not stop within the shutdown deadline; exiting"),
});
// A database that is not up yet (or restarting) is waited for, not a reason to exit.
if (!(await migrateWhenReachable(store, { logger, signal }))) {
  await store.close();
  process.exit(0);
}
const metrics = createMetrics("server");
const server = await startServer({ settings, store, logger, metrics, ping: () => store.ping() });

const url = settings.publicBaseUrl;
logger.info(
  { host: settings.host, port: server.port, metricsPort: server.metricsPort, url },
  "server listening",
);
console.log(`guildkit server listening on ${url} (health: ${new URL("/healthz", url)})`);

signal.addEventListener("abort", async () => {
  await server.close();
  await store.close();
  process.exit(0);
});
