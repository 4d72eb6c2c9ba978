import {
  createLogger,
  createMetrics,
  loadProcessSettings,
  openStore,
  shutdownSignal,
} from "@guildkit/runtime";
import { serve } from "@hono/node-server";
import { createServerApp } from "./app";

const settings = loadProcessSettings(process.env);
const logger = createLogger({ name: "guildkit-server", level: settings.logLevel });
const store = await openStore(settings);
await store.migrate();
const metrics = createMetrics("server");
const app = createServerApp({ settings, store, logger, metrics, ping: () => store.ping() });

const server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, (info) => {
  const url = settings.publicBaseUrl;
  logger.info({ port: info.port, url }, "server listening");
  console.log(`guildkit server listening on ${url} (health: ${new URL("/healthz", url)})`);
});

const signal = shutdownSignal((s) => logger.info({ signal: s }, "shutting down"));
signal.addEventListener("abort", () => {
  server.close(async () => {
    await store.close();
    process.exit(0);
  });
});
