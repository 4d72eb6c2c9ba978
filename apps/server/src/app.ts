import { Hono } from "hono";
import type { ServerContext } from "./context";
import { adminConfigRoutes } from "./routes/admin-config";
import { healthRoutes } from "./routes/health";
import { oauthRoutes } from "./routes/oauth";
import { webhookRoutes } from "./routes/webhooks";

/**
 * The reference server: one Hono app composed of the feature route modules.
 * Each feature adds its routes with one `app.route("/", …)` line.
 */
export function createServerApp(ctx: ServerContext): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    ctx.logger.error({ err: error, path: c.req.path }, "unhandled error");
    return c.json({ error: "internal_error", message: "Something went wrong; see the server log." }, 500);
  });
  app.route("/", healthRoutes(ctx));
  app.route("/", oauthRoutes(ctx));
  app.route("/", adminConfigRoutes(ctx));
  app.route("/", webhookRoutes(ctx));
  return app;
}
