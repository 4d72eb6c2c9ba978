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
  app.use(async (c, next) => {
    await next();
    // Clickjacking: no page of this server may be framed. Only HTML answers need saying so (a redirect
    // has no page), and reading the status first keeps the hot redirects untouched.
    if (c.res.status >= 300 && c.res.status < 400) return;
    if (!c.res.headers.get("content-type")?.startsWith("text/html")) return;
    c.res.headers.set("x-frame-options", "DENY");
    const csp = c.res.headers.get("content-security-policy");
    c.res.headers.set(
      "content-security-policy",
      csp ? `${csp}; frame-ancestors 'none'` : "frame-ancestors 'none'",
    );
  });
  app.route("/", healthRoutes(ctx));
  app.route("/", oauthRoutes(ctx));
  app.route("/", adminConfigRoutes(ctx));
  app.route("/", webhookRoutes(ctx));
  return app;
}
