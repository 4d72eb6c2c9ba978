import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { systemClock } from "@guildkit/core/system";
import { createDiscordIdentityProvider } from "@guildkit/discord-rest";
import {
  type Clock,
  createOAuthFlows,
  createOAuthWebHandlers,
  createSessions,
  type OAuthFlows,
  type Sessions,
} from "@guildkit/oauth-state";
import {
  createConfiguredGrantClient,
  createGuildJoiner,
  createStoreMemberTokens,
  withRoleConnectionsDue,
} from "@guildkit/worker";
import { Hono } from "hono";
import type { ServerContext } from "../context";
import { createDiscordCredentialsSource, createOAuthClientSource } from "../oauth/client-settings";
import { createOAuthMetrics } from "../oauth/oauth-metrics";
import { replacePage, signupPage } from "../oauth/pages";
import { accountRoutes } from "./account";

/** Knobs for tests and benchmarks. */
export interface OAuthRouteOptions {
  /** Timeout of each call to Discord's OAuth endpoints (default 10 s). */
  discordTimeoutMs?: number;
  clock?: Clock;
}

/**
 * `GET /discord/linked-roles`, the application's Linked Roles verification URL (set it in the
 * Developer Portal): Discord sends a member here from a role's requirements. It starts the OAuth flow
 * that keeps the member's grant — linking when signed in, signing in otherwise — whose scopes include
 * `role_connections.write` when `oauth_extra_scopes` names it; without it, a page says what to set.
 */
async function linkedRolesEntry(
  request: Request,
  deps: { config: ReturnType<typeof createConfigLoader<typeof discordConfigSpec>>; sessions: Sessions },
): Promise<Response> {
  const { oauth_extra_scopes: scopes } = await deps.config.load();
  if (!(scopes ?? []).includes("role_connections.write")) {
    return new Response(
      "<!doctype html><title>Linked Roles</title><h1>Linked Roles is not set up</h1><p>The operator must add <code>role_connections.write</code> to the <code>oauth_extra_scopes</code> setting (Settings → Discord).</p>",
      { status: 503, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } },
    );
  }
  const signedIn = (await deps.sessions.read(request)) !== null;
  return new Response(null, {
    status: 303,
    headers: { location: signedIn ? "/discord/login" : "/login/discord", "cache-control": "no-store" },
  });
}

const html = (body: string) =>
  new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });

/**
 * Login with Discord and account linking for the reference server: `GET /login/discord`,
 * `GET /login/discord/callback`, `POST /login/discord/confirm` (signup confirmation), `GET /discord/login`,
 * `GET /discord/callback` and `POST /discord/confirm` (link, and the confirmation before replacing a
 * linked account; need a session), plus the account pages over `@guildkit/oauth-state`'s server-side
 * sessions (`GET /`, `GET /me`, `POST /discord/unlink`, `POST /logout`, `POST /logout/everywhere`; see
 * `accountRoutes`), and `GET /discord/linked-roles` (the Linked Roles verification URL). With `oauth_extra_scopes` set, the member's OAuth grant is kept (sealed) and, with
 * `guilds.join` and `join_guild_on_link`, a paying member who links is added to the guild.
 */
export function oauthRoutes(ctx: ServerContext, options: OAuthRouteOptions = {}) {
  const clock: Clock = options.clock ?? systemClock;
  const base = ctx.settings.publicBaseUrl.replace(/\/+$/, "");
  const secure = base.startsWith("https:");
  const sessions: Sessions = createSessions({
    store: ctx.store.oauth.sessions,
    clock,
    secureCookies: secure,
  });
  const config = createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec });
  const apiBaseUrl = ctx.settings.discordApiBaseUrl;
  const tokens = createStoreMemberTokens(ctx.store, { apiBaseUrl, clock });
  const metrics = createOAuthMetrics(ctx.metrics);

  const flows: OAuthFlows<Response> = createOAuthFlows<Response>({
    stateSecret: ctx.settings.stateSigningKey,
    redirectUris: { link: `${base}/discord/callback`, login: `${base}/login/discord/callback` },
    authorizeUrl: ctx.settings.discordAuthorizeUrl,
    client: createOAuthClientSource(config),
    identity: createDiscordIdentityProvider({
      credentials: createDiscordCredentialsSource(config),
      apiBaseUrl: ctx.settings.discordApiBaseUrl,
      timeoutMs: options.discordTimeoutMs,
      onRevokeFailure: (error) => ctx.logger.warn({ err: error }, "revoking a Discord access token failed"),
    }),
    members: ctx.store.oauth.memberAccounts,
    // The flows write a link (or a new member) and its role-sync due mark in one transaction.
    transactions: {
      run: (fn, io) =>
        ctx.store.transaction(
          (tx) => fn({ accounts: tx.oauth.memberAccounts, syncDue: tx.roleSync.queue }),
          io,
        ),
    },
    nonces: ctx.store.oauth.nonces,
    eventLog: metrics.eventLog(ctx.store.eventLog),
    clock,
    async onLoginComplete({ memberId, postLoginPath }, io) {
      const { setCookie } = await sessions.start({ memberId }, io);
      return new Response(null, {
        status: 303,
        headers: { location: postLoginPath, "set-cookie": setCookie },
      });
    },
    onSignupConfirm: (confirmation) => html(signupPage(confirmation)),
    onEventLogFailure: (error, entry) =>
      ctx.logger.error({ err: error, kind: entry.kind }, "event log write failed"),
    // With extra scopes configured the member's grant is kept (sealed), and guilds.join adds them to the guild.
    memberTokens: {
      // A new grant makes the member's Linked Roles push due at once (it may have been skipped: no grant).
      store: withRoleConnectionsDue(ctx.store.oauth.memberTokens, ctx.store.roleConnections, {
        clock,
        onError: (error) => ctx.logger.warn({ err: error }, "marking a Linked Roles push due failed"),
      }),
      client: createConfiguredGrantClient(ctx.store.configStore, { apiBaseUrl }),
    },
    guildJoiner: createGuildJoiner({
      configStore: ctx.store.configStore,
      linkedMembers: ctx.store.roleSync.linkedMembers,
      apiBaseUrl,
    }),
  });

  const handlers = createOAuthWebHandlers({
    flows: metrics.flows(flows),
    sessions,
    secureCookies: secure,
    renderReplaceConfirm: (confirmation) => html(replacePage(confirmation)),
  });

  const app = new Hono();
  app.get("/login/discord", async (c) => metrics.started("login", await handlers.startLogin(c.req.raw)));
  app.get("/login/discord/callback", (c) => handlers.loginCallback(c.req.raw));
  app.post("/login/discord/confirm", (c) => handlers.confirmSignup(c.req.raw));
  app.get("/discord/login", async (c) => metrics.started("link", await handlers.startLink(c.req.raw)));
  app.get("/discord/callback", (c) => handlers.linkCallback(c.req.raw));
  app.post("/discord/confirm", (c) => handlers.confirmReplace(c.req.raw));
  app.get("/discord/linked-roles", (c) => linkedRolesEntry(c.req.raw, { config, sessions }));
  app.route("/", accountRoutes(ctx, { sessions, flows, tokens, clock, origin: new URL(base).origin }));
  return app;
}
