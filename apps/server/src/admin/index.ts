import type { Clock } from "@guildkit/core";
import { systemClock } from "@guildkit/core/system";
import { Hono } from "hono";
import type { ServerContext } from "../context";
import { createAdminApi } from "./api-client";
import { assetRoutes } from "./assets";
import { eventPages } from "./events";
import type { ConsoleDeps } from "./guard";
import { loginRoutes } from "./login";
import { roleSyncPages } from "./role-sync";
import { createAdminSessions } from "./session";
import { settingsRoutes } from "./settings";
import { speedbumpPages } from "./speedbump";
import { webhookPages } from "./webhooks";

/** Knobs for tests. */
export interface AdminConsoleOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Admin session idle timeout in seconds (default 30 minutes). */
  idleTimeoutSeconds?: number;
  /** Admin session absolute lifetime in seconds (default 8 hours). */
  maxLifetimeSeconds?: number;
}

/**
 * The admin console under `/admin` (the JSON API under `/admin/api` is separate and unchanged):
 * server-rendered pages over the admin API, signed in with the admin token once for a
 * server-side session, a CSRF token on every form. See the server README.
 */
export function adminConsoleRoutes(ctx: ServerContext, options: AdminConsoleOptions = {}): Hono {
  const app = new Hono();
  const clock = options.clock ?? systemClock;
  const deps: ConsoleDeps = {
    ctx,
    clock,
    api: createAdminApi(ctx),
    sessions: createAdminSessions({
      clock,
      store: ctx.store.adminSessions,
      secret: ctx.settings.stateSigningKey,
      secureCookies: ctx.settings.publicBaseUrl.startsWith("https:"),
      idleTimeoutSeconds: options.idleTimeoutSeconds,
      maxLifetimeSeconds: options.maxLifetimeSeconds,
    }),
  };
  assetRoutes(app);
  loginRoutes(app, deps);
  settingsRoutes(app, deps);
  webhookPages(app, deps);
  eventPages(app, deps);
  roleSyncPages(app, deps);
  speedbumpPages(app, deps);
  return app;
}
