import type { Hono } from "hono";
import { checkAuthorize, decideAuthorize, defaultAuthorizingUser } from "../authorize";
import { renderAuthorizePage, renderErrorPage } from "../authorize-page";
import type { SimContext } from "../context";
import { DISCORD_ERRORS } from "../errors";
import { apiUser } from "../objects";
import { clientAddress, discordError, discordRoute, type SimEnv, type SimHonoContext } from "../pipeline";
import type { OAuthGrant } from "../state";
import { pkceChallenge, randomToken } from "../tokens";

/** Access tokens live 7 days, as on Discord. */
export const ACCESS_TOKEN_TTL_S = 604_800;

type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unsupported_grant_type"
  | "invalid_scope";

function oauthError(
  c: SimHonoContext,
  status: 400 | 401,
  error: OAuthErrorCode,
  description?: string,
): Response {
  return c.json(description ? { error, error_description: description } : { error }, status);
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  if (!header?.startsWith("Basic ")) return null;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

async function readForm(c: SimHonoContext): Promise<URLSearchParams | null> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded")) return null;
  return new URLSearchParams(await c.req.text());
}

function issue(
  ctx: SimContext,
  grant: Omit<OAuthGrant, "accessToken" | "refreshToken" | "expiresAt" | "revoked">,
) {
  const full: OAuthGrant = {
    ...grant,
    accessToken: randomToken(30),
    refreshToken: randomToken(30),
    expiresAt: ctx.now() + ACCESS_TOKEN_TTL_S * 1000,
    revoked: false,
  };
  ctx.state.grantsByAccess.set(full.accessToken, full);
  ctx.state.grantsByRefresh.set(full.refreshToken, full);
  return {
    access_token: full.accessToken,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_S,
    refresh_token: full.refreshToken,
    scope: full.scopes.join(" "),
  };
}

function revokeGrant(ctx: SimContext, grant: OAuthGrant): void {
  grant.revoked = true;
  ctx.state.grantsByAccess.delete(grant.accessToken);
  ctx.state.grantsByRefresh.delete(grant.refreshToken);
}

/** OAuth2: authorize page, token exchange/refresh/revoke, `/users/@me`, `/oauth2/@me`. */
export function registerOAuthRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;

  app.get("/oauth2/authorize", (c) => {
    const check = checkAuthorize(state, new URL(c.req.url).searchParams);
    if (check.kind === "page") return c.html(renderErrorPage(check.message), 400);
    if (check.kind === "redirect") return c.redirect(check.location, 302);
    return c.html(
      renderAuthorizePage(check.request, [...state.users.values()], defaultAuthorizingUser(state)),
    );
  });

  app.post("/oauth2/authorize", async (c) => {
    const form = (await readForm(c)) ?? new URLSearchParams();
    const check = checkAuthorize(state, form);
    if (check.kind === "page") return c.html(renderErrorPage(check.message), 400);
    if (check.kind === "redirect") return c.redirect(check.location, 302);
    const outcome = decideAuthorize(state, check.request, {
      userId: form.get("user"),
      deny: form.get("action") !== "authorize",
    });
    if (outcome.kind === "page") return c.html(renderErrorPage(outcome.message), 400);
    return c.redirect(outcome.location, 302);
  });

  const tokenSpec = {
    route: "oauth_token",
    auth: "none",
    major: (c: SimHonoContext) => clientAddress(c),
  } as const;

  const token = discordRoute(ctx, tokenSpec, async (c) => {
    const form = await readForm(c);
    if (!form) {
      return oauthError(
        c,
        400,
        "invalid_request",
        "The request body must be application/x-www-form-urlencoded.",
      );
    }
    const basic = basicCredentials(c.req.header("authorization"));
    const clientId = basic?.id ?? form.get("client_id");
    const secret = basic?.secret ?? form.get("client_secret");
    const app = clientId ? state.applications.get(clientId) : undefined;
    if (!app) return oauthError(c, 401, "invalid_client");
    const grantType = form.get("grant_type");
    if (secret === null) {
      const pkcePublic = app.publicClient && grantType === "authorization_code" && form.get("code_verifier");
      if (!pkcePublic) return oauthError(c, 401, "invalid_client");
    } else if (secret !== app.clientSecret) {
      return oauthError(c, 401, "invalid_client");
    }

    if (grantType === "authorization_code") {
      const codeValue = form.get("code");
      if (!codeValue) return oauthError(c, 400, "invalid_request", 'Missing "code" in request.');
      const invalidCode = () => oauthError(c, 400, "invalid_grant", 'Invalid "code" in request.');
      const code = state.codes.get(codeValue);
      if (!code || code.used || code.clientId !== app.clientId || ctx.now() >= code.expiresAt)
        return invalidCode();
      if (form.get("redirect_uri") !== code.redirectUri) return invalidCode();
      const verifier = form.get("code_verifier");
      if (code.codeChallenge !== null) {
        if (!verifier || pkceChallenge(verifier) !== code.codeChallenge) return invalidCode();
      } else if (verifier !== null || secret === null) {
        return invalidCode();
      }
      code.used = true;
      return c.json(issue(ctx, { clientId: app.clientId, userId: code.userId, scopes: code.scopes }), 200, {
        "Cache-Control": "no-store",
      });
    }

    if (grantType === "refresh_token") {
      const refresh = form.get("refresh_token");
      if (!refresh) return oauthError(c, 400, "invalid_request", 'Missing "refresh_token" in request.');
      const grant = state.grantsByRefresh.get(refresh);
      if (!grant || grant.revoked || grant.clientId !== app.clientId) {
        return oauthError(c, 400, "invalid_grant", 'Invalid "refresh_token" in request');
      }
      revokeGrant(ctx, grant);
      return c.json(
        issue(ctx, { clientId: grant.clientId, userId: grant.userId, scopes: grant.scopes }),
        200,
        {
          "Cache-Control": "no-store",
        },
      );
    }

    return oauthError(c, 400, "unsupported_grant_type", 'Invalid "grant_type" in request.');
  });

  const revoke = discordRoute(ctx, tokenSpec, async (c) => {
    const form = await readForm(c);
    if (!form) {
      return oauthError(
        c,
        400,
        "invalid_request",
        "The request body must be application/x-www-form-urlencoded.",
      );
    }
    const basic = basicCredentials(c.req.header("authorization"));
    const clientId = basic?.id ?? form.get("client_id");
    const secret = basic?.secret ?? form.get("client_secret");
    const app = clientId ? state.applications.get(clientId) : undefined;
    if (!app || (secret !== app.clientSecret && !app.publicClient))
      return oauthError(c, 401, "invalid_client");
    const value = form.get("token");
    if (!value) return oauthError(c, 400, "invalid_request", 'Missing "token" in request.');
    const grant = state.grantsByAccess.get(value) ?? state.grantsByRefresh.get(value);
    if (grant && grant.clientId === app.clientId) revokeGrant(ctx, grant);
    return c.json({}, 200);
  });

  for (const prefix of ["/api", "/api/v10", "/api/v9"]) {
    app.post(`${prefix}/oauth2/token`, token);
    app.post(`${prefix}/oauth2/token/revoke`, revoke);
  }

  const meSpec = {
    route: "users_me",
    auth: "any",
    major: (_c: SimHonoContext, principal: { key: string } | null) => principal?.key ?? "",
  } as const;

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
          description: "",
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
