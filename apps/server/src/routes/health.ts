import { checkLiveness, checkReadiness, createBearerCheck, readinessStatus } from "@guildkit/runtime";
import { type Context, Hono } from "hono";
import type { ServerContext } from "../context";

/**
 * `GET /healthz`: liveness — 200 while the process answers, with the database round trip as the
 * informational `database` field (`"unreachable"` during an outage: never a reason to restart the
 * server). `GET /readyz`: readiness — 200 when the database answers and is migrated, else 503 with
 * a JSON `reason`. `GET /metrics`: Prometheus text — behind `Authorization: Bearer <METRICS_TOKEN>`
 * when that is set, and not here at all when `METRICS_PORT` serves it on a port of its own (see
 * `startServer`).
 */
export function healthRoutes(ctx: ServerContext) {
  const app = new Hono();
  app.get("/healthz", async (c) => c.json(await checkLiveness(() => ctx.ping())));
  app.get("/readyz", async (c) => {
    const report = await checkReadiness(ctx.store);
    return c.json(report, readinessStatus(report));
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
