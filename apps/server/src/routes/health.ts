import { checkLiveness, checkReadiness, readinessStatus } from "@guildkit/runtime";
import { Hono } from "hono";
import type { ServerContext } from "../context";

/**
 * `GET /healthz`: liveness — 200 while the process answers, with the database round trip as the
 * informational `database` field (`"unreachable"` during an outage: never a reason to restart the
 * server). `GET /readyz`: readiness — 200 when the database answers and is migrated, else 503 with
 * a JSON `reason`. `GET /metrics`: Prometheus text.
 */
export function healthRoutes(ctx: ServerContext) {
  const app = new Hono();
  app.get("/healthz", async (c) => c.json(await checkLiveness(() => ctx.ping())));
  app.get("/readyz", async (c) => {
    const report = await checkReadiness(ctx.store);
    return c.json(report, readinessStatus(report));
  });
  app.get("/metrics", async (c) => {
    c.header("content-type", ctx.metrics.contentType);
    return c.body(await ctx.metrics.metrics());
  });
  return app;
}
