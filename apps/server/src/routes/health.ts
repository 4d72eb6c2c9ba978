import { Hono } from "hono";
import type { ServerContext } from "../context";

/** `GET /healthz`: liveness plus a database round trip; `GET /metrics`: Prometheus text. */
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
  app.get("/metrics", async (c) => {
    c.header("content-type", ctx.metrics.contentType);
    return c.body(await ctx.metrics.metrics());
  });
  return app;
}
