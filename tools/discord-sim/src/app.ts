import { Hono } from "hono";
import { z } from "zod";
import type { SimApi } from "./api";
import type { SimContext } from "./context";
import { DISCORD_ERRORS, DiscordSimError } from "./errors";
import { discordUnrouted, type SimEnv } from "./pipeline";
import { registerCdnRoutes } from "./routes/cdn";
import { registerControlRoutes } from "./routes/control";
import { registerGuildMemberRoutes } from "./routes/guild-members";
import { registerGuildRoutes } from "./routes/guilds";
import { registerMeRoutes } from "./routes/me";
import { registerOAuthRoutes } from "./routes/oauth";
import { registerPluralKitRoutes } from "./routes/pluralkit";
import { registerRoleConnectionRoutes } from "./routes/role-connections";
import { registerWebhookRoutes } from "./routes/webhooks";

/** Discord API paths the simulator serves; other methods on them answer 405. */
const API_PATHS = [
  "/api/v10/users/@me",
  "/api/v10/oauth2/@me",
  "/api/v10/applications/@me",
  "/api/v10/oauth2/applications/@me",
  "/api/v10/applications/:application/role-connections/metadata",
  "/api/v10/users/@me/applications/:application/role-connection",
  "/api/v10/guilds/:guild",
  "/api/v10/guilds/:guild/members/:user",
  "/api/v10/guilds/:guild/members",
  "/api/v10/guilds/:guild/members/:user/roles/:role",
  "/api/v10/guilds/:guild/roles",
  "/api/v10/channels/:channel/webhooks",
  "/api/v10/webhooks/:webhook/:token",
  "/api/v10/webhooks/:webhook/:token/messages/:message",
  "/api/oauth2/token",
  "/api/v10/oauth2/token",
  "/api/oauth2/token/revoke",
  "/api/v10/oauth2/token/revoke",
];

/** Builds the Hono app: request recording, every surface, 404/405 and error answers. */
export function createSimApp(ctx: SimContext, api: SimApi, urls: () => Record<string, string>): Hono<SimEnv> {
  const app = new Hono<SimEnv>();

  app.use("*", async (c, next) => {
    // Logged at arrival, as Discord counts requests: an injected latency delays the answer, not `at`.
    const at = ctx.now();
    await next();
    const path = c.req.path;
    if (path.startsWith("/_sim")) return;
    const route = c.get("route") ?? "other";
    const status = c.get("dropped") ? 0 : c.res.status;
    const scope = c.get("scope");
    const injected = c.get("injected");
    ctx.log.add({
      at,
      method: c.req.method,
      path,
      route,
      status,
      bucket: c.res.headers.get("x-ratelimit-bucket"),
      ...(status === 429 && scope ? { scope } : {}),
      ...(injected ? { injected: true } : {}),
    });
    if (status === 429) {
      if (route === "pk_message") ctx.limited.pluralkit += 1;
      else if (route === "cdn") ctx.limited.cdn += 1;
      else if (scope) ctx.limited[scope] += 1;
    }
    if (
      path.startsWith("/api/") &&
      (status === 401 || status === 403 || status === 429) &&
      scope !== "shared"
    ) {
      ctx.invalid.add();
    }
  });

  registerControlRoutes(app, api, urls);
  registerOAuthRoutes(app, ctx);
  registerMeRoutes(app, ctx);
  registerRoleConnectionRoutes(app, ctx);
  registerGuildRoutes(app, ctx);
  registerGuildMemberRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerCdnRoutes(app, ctx);
  registerPluralKitRoutes(app, ctx);

  for (const path of API_PATHS) app.all(path, discordUnrouted(ctx, DISCORD_ERRORS.methodNotAllowed));
  app.all("/api/:version{v[3-5]}/*", discordUnrouted(ctx, DISCORD_ERRORS.invalidApiVersion));
  const apiNotFound = discordUnrouted(ctx, DISCORD_ERRORS.notFound);

  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) return apiNotFound(c);
    return c.text("404: Not Found", 404);
  });

  app.onError((error, c) => {
    if (error instanceof DiscordSimError) return c.json({ error: error.code, message: error.message }, 400);
    if (error instanceof z.ZodError)
      return c.json({ error: "invalid_request", message: z.prettifyError(error) }, 400);
    console.error("[discord-sim]", error);
    if (c.req.path.startsWith("/cdn/")) return c.text("500: Internal Server Error", 500);
    return c.json({ message: "500: Internal Server Error", code: 0 }, 500);
  });

  return app;
}
