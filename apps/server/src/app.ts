import { Hono } from "hono";
import { adminConsoleRoutes } from "./admin";
import { bodyLimits } from "./body-limit";
import type { ServerContext } from "./context";
import { databaseUnavailableResponse } from "./database-unavailable";
import { httpMetrics } from "./http-metrics";
import { adminConfigRoutes } from "./routes/admin-config";
import { healthRoutes } from "./routes/health";
import { oauthRoutes } from "./routes/oauth";
import { webhookRoutes } from "./routes/webhooks";
import { securityHeaders } from "./security-headers";

/**
 * The reference server: one Hono app composed of the feature route modules, behind the security
 * headers and the body limits. Each feature adds its routes with one `app.route("/", …)` line.
 */
export function createServerApp(ctx: ServerContext): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    const unavailable = databaseUnavailableResponse(error, c);
    if (unavailable) {
      ctx.logger.warn({ err: error, path: c.req.path }, "request failed: the database is unreachable");
      return unavailable;
    }
    ctx.logger.error({ err: error, path: c.req.path }, "unhandled error");
    return c.json({ error: "internal_error", message: "Something went wrong; see the server log." }, 500);
  });
  app.use(httpMetrics(ctx.metrics));
  app.use(securityHeaders(ctx.settings));
  app.use(bodyLimits(ctx.settings.bodyLimits));
  app.route("/", healthRoutes(ctx));
  app.route("/", oauthRoutes(ctx));
  app.route("/", adminConfigRoutes(ctx));
  app.route("/", webhookRoutes(ctx));
  app.route("/", adminConsoleRoutes(ctx));
  return app;
}
