import type { Hono } from "hono";
import type { SimContext } from "../context";
import { DISCORD_ERRORS } from "../errors";
import { apiApplication, apiUser } from "../objects";
import { discordError, discordRoute, type Principal, type SimEnv, type SimHonoContext } from "../pipeline";
import type { SimApplication } from "../types";

const byCaller = (_c: SimHonoContext, principal: Principal | null) => principal?.key ?? "";

/** Who is calling: `/users/@me`, `/oauth2/@me`, and the bot's application object. */
export function registerMeRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  registerIdentityRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
}

/** `GET /users/@me` and `GET /oauth2/@me`. */
function registerIdentityRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;
  const meSpec = { route: "users_me", auth: "any", major: byCaller } as const;

  /**
   * Get Current User: the bot user (`bot: true`) for a bot token; for a bearer token the user, with
   * `email`/`verified` only under the `email` scope; 401 code 0 without `identify`.
   * @see https://discord.com/developers/docs/resources/user#get-current-user
   */
  app.get(
    "/api/v10/users/@me",
    discordRoute(ctx, meSpec, (c, principal) => {
      if (!principal) return discordError(c, DISCORD_ERRORS.unauthorized);
      const user = state.users.get(principal.userId);
      if (!user) return discordError(c, DISCORD_ERRORS.unauthorized);
      if (principal.kind === "bot") return c.json(apiUser(user, { self: true, email: true }));
      if (!principal.grant.scopes.includes("identify")) return discordError(c, DISCORD_ERRORS.unauthorized);
      return c.json(apiUser(user, { self: true, email: principal.grant.scopes.includes("email") }));
    }),
  );

  /** @see https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information */
  app.get(
    "/api/v10/oauth2/@me",
    discordRoute(ctx, { ...meSpec, auth: "bearer" }, (c, principal) => {
      if (principal?.kind !== "bearer") return discordError(c, DISCORD_ERRORS.unauthorized);
      const { grant } = principal;
      const application = state.applications.get(grant.clientId);
      const user = state.users.get(grant.userId);
      return c.json({
        application: {
          id: grant.clientId,
          name: application?.name ?? "",
          icon: null,
          description: application?.description ?? "",
          hook: true,
          bot_public: true,
          bot_require_code_grant: false,
        },
        scopes: grant.scopes,
        expires: new Date(grant.expiresAt).toISOString().replace("Z", "+00:00"),
        ...(user && grant.scopes.includes("identify") ? { user: apiUser(user) } : {}),
      });
    }),
  );
}

/** `GET /applications/@me` and `GET /oauth2/applications/@me` with the bot token. */
function registerApplicationRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;
  const applicationJson = (application: SimApplication, withFlags: boolean) => {
    let guildCount = 0;
    for (const guild of state.guilds.values()) if (guild.members.has(application.botUserId)) guildCount += 1;
    const authorized = new Set<string>();
    for (const grant of state.grants) {
      if (!grant.revoked && grant.clientId === application.clientId) authorized.add(grant.userId);
    }
    return apiApplication(application, {
      bot: state.users.get(application.botUserId),
      guildCount,
      authorizationCount: authorized.size,
      withFlags,
    });
  };
  const appSpec = { route: "get_application", auth: "bot", major: byCaller } as const;

  /**
   * Get Current Application: the bot's application, with its intent flags, redirect URIs and Linked
   * Roles verification URL. A bearer token is 401.
   * @see https://discord.com/developers/docs/resources/application#get-current-application
   */
  app.get(
    "/api/v10/applications/@me",
    discordRoute(ctx, appSpec, (c, principal) => {
      if (principal?.kind !== "bot") return discordError(c, DISCORD_ERRORS.unauthorized);
      return c.json(applicationJson(principal.app, true));
    }),
  );

  /** @see https://discord.com/developers/docs/topics/oauth2#get-current-bot-application-information */
  app.get(
    "/api/v10/oauth2/applications/@me",
    discordRoute(ctx, appSpec, (c, principal) => {
      if (principal?.kind !== "bot") return discordError(c, DISCORD_ERRORS.unauthorized);
      return c.json(applicationJson(principal.app, false));
    }),
  );
}
