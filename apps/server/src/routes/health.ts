import { createBearerCheck } from "@guildkit/runtime";
import { type Context, Hono } from "hono";
import type { ServerContext } from "../context";

/**
 * `GET /healthz`: liveness plus a database round trip; `GET /metrics`: Prometheus text — behind
 * `Authorization: Bearer <METRICS_TOKEN>` when that is set, and not here at all when `METRICS_PORT`
 * serves it on a port of its own (see `startServer`).
 */
export function healthRoutes(ctx: ServerContext) {
  const app = new Hono();
  app.get("/healthz", async (c) => {
    const started = performance.now();
    try {
      await ctx.ping();
      return c.json({ status: "ok", database: "ok", db_ms: Math.round(performance.now() - started) });
    } catch (error) {
      ctx.logger.error({ err: error }, "health check: database unreachable");
      return c.json({ status: "error", database: "unreachable" }, 503);
    }
  });
  // With METRICS_PORT the metrics live on their own port (startServer), not beside the routes.
  if (ctx.settings.metricsPort === null) app.get("/metrics", metricsHandler(ctx));
  return app;
}

/** Prometheus text, behind `Authorization: Bearer <METRICS_TOKEN>` when that is set. */
function metricsHandler(ctx: ServerContext) {
  const { metricsToken } = ctx.settings;
  const authorized = metricsToken ? createBearerCheck(metricsToken) : () => true;
  return async (c: Context) => {
    if (!authorized(c.req.header("authorization"))) {
      c.header("www-authenticate", 'Bearer realm="guildkit metrics"');
      return c.json({ error: "unauthorized", message: "Send `Authorization: Bearer <METRICS_TOKEN>`." }, 401);
    }
    c.header("content-type", ctx.metrics.contentType);
    return c.body(await ctx.metrics.metrics());
  };
}
