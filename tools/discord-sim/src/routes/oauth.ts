import type { Hono } from "hono";
import { checkAuthorize, decideAuthorize, defaultAuthorizingUser } from "../authorize";
import { renderAuthorizePage, renderErrorPage } from "../authorize-page";
import type { SimContext } from "../context";
import { endGrant, issueGrant, revokeAuthorization } from "../oauth-grants";
import { clientAddress, discordRoute, type SimEnv, type SimHonoContext } from "../pipeline";
import { pkceChallenge } from "../tokens";
import type { SimApplication } from "../types";

type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unsupported_grant_type"
  | "invalid_scope";

/** An RFC 6749 error body, the shape Discord's token endpoints answer errors in. */
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

const notForm = (c: SimHonoContext) =>
  oauthError(c, 400, "invalid_request", "The request body must be application/x-www-form-urlencoded.");

const tokenJson = (c: SimHonoContext, body: object) => c.json(body, 200, { "Cache-Control": "no-store" });

/** The client the request authenticates (HTTP Basic or form fields) and the secret it sent. */
function clientOf(
  ctx: SimContext,
  c: SimHonoContext,
  form: URLSearchParams,
): { app: SimApplication; secret: string | null } | null {
  const basic = basicCredentials(c.req.header("authorization"));
  const clientId = basic?.id ?? form.get("client_id");
  const app = clientId ? ctx.state.applications.get(clientId) : undefined;
  return app ? { app, secret: basic?.secret ?? form.get("client_secret") } : null;
}

/**
 * `grant_type=authorization_code`: a single-use code bound to its client and redirect URI, PKCE
 * checked. A redirect URI the application does not register is `invalid_request` (as Discord answers
 * it, discord-api-docs#4076, #1131); one that differs from the authorize request's is `invalid_grant`.
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
 */
function exchangeCode(
  ctx: SimContext,
  c: SimHonoContext,
  form: URLSearchParams,
  app: SimApplication,
  secret: string | null,
): Response {
  const codeValue = form.get("code");
  if (!codeValue) return oauthError(c, 400, "invalid_request", 'Missing "code" in request.');
  const redirectUri = form.get("redirect_uri");
  if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
    return oauthError(c, 400, "invalid_request", 'Invalid "redirect_uri" in request.');
  }
  const invalidCode = () => oauthError(c, 400, "invalid_grant", 'Invalid "code" in request.');
  const code = ctx.state.codes.get(codeValue);
  if (!code || code.used || code.clientId !== app.clientId || ctx.now() >= code.expiresAt)
    return invalidCode();
  if (redirectUri !== code.redirectUri) return invalidCode();
  const verifier = form.get("code_verifier");
  if (code.codeChallenge !== null) {
    if (!verifier || pkceChallenge(verifier) !== code.codeChallenge) return invalidCode();
  } else if (verifier !== null || secret === null) {
    return invalidCode();
  }
  code.used = true;
  return tokenJson(
    c,
    issueGrant(ctx.state, { clientId: app.clientId, userId: code.userId, scopes: code.scopes }),
  );
}

/**
 * `grant_type=refresh_token`: rotates the pair (the old access and refresh tokens stop working; each
 * refresh token is single-use, discord-api-docs#5942); a refresh token that was rotated away or revoked
 * is `invalid_grant`. An optional `scope` narrows the new pair to those scopes; omitted or empty, the
 * pair keeps every scope granted; a scope the authorization never granted is `invalid_scope` and the
 * old pair keeps working (discord-api-docs#2222, RFC 6749 §6).
 */
function refresh(ctx: SimContext, c: SimHonoContext, form: URLSearchParams, app: SimApplication): Response {
  const value = form.get("refresh_token");
  if (!value) return oauthError(c, 400, "invalid_request", 'Missing "refresh_token" in request.');
  const grant = ctx.state.grantsByRefresh.get(value);
  if (!grant || grant.revoked || grant.clientId !== app.clientId) {
    return oauthError(c, 400, "invalid_grant", 'Invalid "refresh_token" in request');
  }
  const asked = (form.get("scope") ?? "").split(/[ +]+/).filter(Boolean);
  if (asked.some((scope) => !grant.scopes.includes(scope))) {
    return oauthError(c, 400, "invalid_scope", "The requested scope is invalid, unknown, or malformed.");
  }
  endGrant(ctx.state, grant, "refresh");
  const scopes = asked.length > 0 ? grant.scopes.filter((scope) => asked.includes(scope)) : grant.scopes;
  return tokenJson(c, issueGrant(ctx.state, { clientId: grant.clientId, userId: grant.userId, scopes }));
}

/** OAuth2: the authorize page and the token exchange, refresh and revocation endpoints. */
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
    if (!form) return notForm(c);
    const client = clientOf(ctx, c, form);
    if (!client) return oauthError(c, 401, "invalid_client");
    const { app: application, secret } = client;
    const grantType = form.get("grant_type");
    if (secret === null) {
      const pkcePublic =
        application.publicClient && grantType === "authorization_code" && form.get("code_verifier");
      if (!pkcePublic) return oauthError(c, 401, "invalid_client");
    } else if (secret !== application.clientSecret) {
      return oauthError(c, 401, "invalid_client");
    }
    if (grantType === "authorization_code") return exchangeCode(ctx, c, form, application, secret);
    if (grantType === "refresh_token") return refresh(ctx, c, form, application);
    return oauthError(c, 400, "unsupported_grant_type", 'Invalid "grant_type" in request.');
  });

  /**
   * Revoking either token revokes every access and refresh token of the authorization.
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-token-revocation-example
   */
  const revoke = discordRoute(ctx, tokenSpec, async (c) => {
    const form = await readForm(c);
    if (!form) return notForm(c);
    const client = clientOf(ctx, c, form);
    if (!client || (client.secret !== client.app.clientSecret && !client.app.publicClient))
      return oauthError(c, 401, "invalid_client");
    const value = form.get("token");
    if (!value) return oauthError(c, 400, "invalid_request", 'Missing "token" in request.');
    const grant = state.grantsByAccess.get(value) ?? state.grantsByRefresh.get(value);
    if (grant && grant.clientId === client.app.clientId)
      revokeAuthorization(state, grant.clientId, grant.userId);
    return c.json({}, 200);
  });

  for (const prefix of ["/api", "/api/v10", "/api/v9"]) {
    app.post(`${prefix}/oauth2/token`, token);
    app.post(`${prefix}/oauth2/token/revoke`, revoke);
  }
}
