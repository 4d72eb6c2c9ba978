import type { AddressInfo } from "node:net";
import { checkReadiness, serveMetrics } from "@guildkit/runtime";
import { serve } from "@hono/node-server";
import { createServerApp } from "./app";
import type { ServerContext } from "./context";

/** A listening reference server. */
export interface RunningServer {
  /** The HTTP port the routes answer on (`PORT`; the one picked when it was 0). */
  port: number;
  /** The port `/metrics` and `/healthz` answer on when `METRICS_PORT` is set, else `null`. */
  metricsPort: number | null;
  /** Stops accepting connections and resolves once both servers are closed. */
  close(): Promise<void>;
}

/**
 * Serves the reference app on `HOST:PORT`, and — when `METRICS_PORT` is set — `/metrics` (behind
 * `METRICS_TOKEN` when that is set), `/healthz` and `/readyz` on `HOST:METRICS_PORT` instead of beside the
 * routes, so a firewall or a private interface can keep the metrics in. Resolves once listening.
 */
export async function startServer(ctx: ServerContext): Promise<RunningServer> {
  const { settings } = ctx;
  const app = createServerApp(ctx);
  const server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const metrics =
    settings.metricsPort === null
      ? null
      : await serveMetrics({
          registry: ctx.metrics,
          port: settings.metricsPort,
          host: settings.host,
          token: settings.metricsToken,
          ping: ctx.ping,
          ready: () => checkReadiness(ctx.store),
        });
  return {
    port: (server.address() as AddressInfo).port,
    metricsPort: metrics?.port ?? null,
    async close() {
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), metrics?.close()]);
    },
  };
}
