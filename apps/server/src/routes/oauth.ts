import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import {
  type Clock,
  createOAuthFlows,
  createOAuthWebHandlers,
  type MemberAccounts,
  type OAuthFlows,
  readCookie,
} from "@guildkit/oauth-state";
import { Hono } from "hono";
import type { ServerContext } from "../context";
import { createDiscordIdentityProvider, createOAuthClientSource } from "../oauth/identity-provider";
import { homePage, memberPage, signupPage } from "../oauth/pages";
import { createSessionCookies, SESSION_COOKIE } from "../oauth/session";

/** Knobs for tests and benchmarks. */
export interface OAuthRouteOptions {
  /** Timeout of each call to Discord's OAuth endpoints (default 10 s). */
  discordTimeoutMs?: number;
  clock?: Clock;
}

/**
 * Login with Discord and account linking for the reference server: `GET /login/discord`,
 * `GET /login/discord/callback`, `POST /login/discord/confirm` (signup confirmation), `GET /discord/login`
 * and `GET /discord/callback` (link; need a session), plus a minimal signed-cookie session so the
 * reference app is usable on its own: `GET /` (home, "Login with Discord" only when configured),
 * `GET /me` (the signed-in member, "Link Discord account") and `POST /logout` (same-origin only).
 */
export function oauthRoutes(ctx: ServerContext, options: OAuthRouteOptions = {}) {
  const clock: Clock = options.clock ?? { now: () => new Date() };
  const base = ctx.settings.publicBaseUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;
  const secure = base.startsWith("https:");
  const session = createSessionCookies({
    secret: ctx.settings.stateSigningKey,
    secure,
    now: () => clock.now(),
  });
  const config = createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec });
  const client = createOAuthClientSource(config);

  const accounts = ctx.store.oauth.memberAccounts;
  const members: MemberAccounts = {
    findByDiscordUserId: (input, io) => accounts.findByDiscordUserId(input, io),
    findByVerifiedEmail: (input, io) => accounts.findByVerifiedEmail(input, io),
    linkDiscord: (input, io) => accounts.linkDiscord(input, io),
    create: (input, io) => accounts.create(input, io),
    // The seed's marker on the member row, and the role-sync queue (roles, name and avatar refresh).
    async markDueForSync(input, io) {
      await accounts.markDueForSync(input, io);
      await ctx.store.roleSync.queue.markDue({ now: input.now, memberIds: [input.memberId] }, io);
    },
  };

  const flows: OAuthFlows<Response> = createOAuthFlows<Response>({
    stateSecret: ctx.settings.stateSigningKey,
    redirectUris: { link: `${base}/discord/callback`, login: `${base}/login/discord/callback` },
    authorizeUrl: ctx.settings.discordAuthorizeUrl,
    client,
    identity: createDiscordIdentityProvider({
      config,
      apiBaseUrl: ctx.settings.discordApiBaseUrl,
      timeoutMs: options.discordTimeoutMs,
      onRevokeFailure: (error) => ctx.logger.warn({ err: error }, "revoking a Discord access token failed"),
    }),
    members,
    nonces: ctx.store.oauth.nonces,
    eventLog: ctx.store.eventLog,
    clock,
    onLoginComplete: ({ memberId, postLoginPath }) =>
      new Response(null, {
        status: 303,
        headers: { location: postLoginPath, "set-cookie": session.issue(memberId) },
      }),
    onSignupConfirm: (confirmation) =>
      new Response(signupPage(confirmation), { headers: { "content-type": "text/html; charset=utf-8" } }),
    onEventLogFailure: (error, entry) =>
      ctx.logger.error({ err: error, kind: entry.kind }, "event log write failed"),
  });

  const currentMemberId = async (request: Request) => session.read(readCookie(request, SESSION_COOKIE));
  const handlers = createOAuthWebHandlers({ flows, currentMemberId, secureCookies: secure });

  const app = new Hono();
  app.get("/login/discord", (c) => handlers.startLogin(c.req.raw));
  app.get("/login/discord/callback", (c) => handlers.loginCallback(c.req.raw));
  app.post("/login/discord/confirm", (c) => handlers.confirmSignup(c.req.raw));
  app.get("/discord/login", (c) => handlers.startLink(c.req.raw));
  app.get("/discord/callback", (c) => handlers.linkCallback(c.req.raw));

  app.get("/", async (c) => {
    if ((await currentMemberId(c.req.raw)) !== null) return c.redirect("/me", 303);
    const loginEnabled = await flows.isEnabled({ signal: c.req.raw.signal });
    return c.html(homePage({ loginEnabled, next: c.req.query("next") ?? "/me" }));
  });
  app.get("/me", async (c) => {
    const memberId = await currentMemberId(c.req.raw);
    const member = memberId === null ? null : await ctx.store.members.getById(memberId);
    if (member === null) return c.redirect(`/?next=${encodeURIComponent(c.req.path)}`, 303);
    c.header("cache-control", "no-store");
    const url = new URL(c.req.url);
    return c.html(
      memberPage({
        memberId: member.id,
        name: member.name,
        email: member.email,
        discordUserId: member.discordUserId,
        discordUsername: member.discordUsername,
        linkEnabled: await flows.isEnabled(),
        path: url.pathname + url.search,
      }),
    );
  });
  app.post("/logout", (c) => {
    // CSRF: a sign-out must come from this site's own page. Browsers send `Origin` with a form POST;
    // without it, `Sec-Fetch-Site` must say same-origin. Anything else (another site, neither) is refused.
    const from = c.req.header("origin");
    const sameOrigin =
      from !== undefined ? from === origin : c.req.header("sec-fetch-site") === "same-origin";
    if (!sameOrigin)
      return c.text("Sign out from this site's own page: cross-site requests are refused.", 403);
    c.header("set-cookie", session.clear());
    return c.redirect("/", 303);
  });
  return app;
}
