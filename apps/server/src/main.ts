import {
  createLogger,
  createMetrics,
  loadProcessSettings,
  migrateWhenReachable,
  openStore,
  shutdownSignal,
} from "@guildkit/runtime";
import { serve } from "@hono/node-server";
import { createServerApp } from "./app";
import { withDatabaseUnavailable } from "./database-unavailable";

const settings = loadProcessSettings(process.env);
const logger = createLogger({ name: "guildkit-server", level: settings.logLevel });
const store = await openStore(settings.database, { logger });
const signal = shutdownSignal((s) => logger.info({ signal: s }, "shutting down"));
// A database that is not up yet (or restarting) is waited for, not a reason to exit.
if (!(await migrateWhenReachable(store, { logger, signal }))) {
  await store.close();
  process.exit(0);
}
const metrics = createMetrics("server");
const app = withDatabaseUnavailable(
  createServerApp({ settings, store, logger, metrics, ping: () => store.ping() }),
);

const server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, (info) => {
  const url = settings.publicBaseUrl;
  logger.info({ port: info.port, url }, "server listening");
  console.log(`guildkit server listening on ${url} (health: ${new URL("/healthz", url)})`);
});

signal.addEventListener("abort", () => {
  server.close(async () => {
    await store.close();
    process.exit(0);
  });
});
