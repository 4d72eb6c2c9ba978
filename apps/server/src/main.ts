import {
  createLogger,
  createMetrics,
  loadProcessSettings,
  openStore,
  shutdownSignal,
} from "@guildkit/runtime";
import { startServer } from "./serve";

const settings = loadProcessSettings(process.env);
const logger = createLogger({ name: "guildkit-server", level: settings.logLevel });
const store = await openStore(settings);
await store.migrate();
const metrics = createMetrics("server");
const server = await startServer({ settings, store, logger, metrics, ping: () => store.ping() });

const url = settings.publicBaseUrl;
logger.info(
  { host: settings.host, port: server.port, metricsPort: server.metricsPort, url },
  "server listening",
);
console.log(`guildkit server listening on ${url} (health: ${new URL("/healthz", url)})`);

const signal = shutdownSignal((s) => logger.info({ signal: s }, "shutting down"));
signal.addEventListener("abort", async () => {
  await server.close();
  await store.close();
  process.exit(0);
});
