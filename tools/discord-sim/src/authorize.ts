import type { SimState } from "./state";
import { randomToken } from "./tokens";
import type { SimApplication } from "./types";

/** Scopes the simulator's authorize endpoint recognises (Discord's list, abridged). */
export const KNOWN_SCOPES = new Set([
  "identify",
  "email",
  "guilds",
  "guilds.join",
  "guilds.members.read",
  "connections",
  "bot",
  "applications.commands",
  "role_connections.write",
  "webhook.incoming",
  "openid",
  "messages.read",
  "applications.entitlements",
]);

/** Authorization codes expire after 10 minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;

/** A validated authorize request. */
export interface AuthorizeRequest {
  app: SimApplication;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  /** The query as received (re-posted by the consent form). */
  params: Record<string, string>;
}

/** Outcome of validating an authorize request: go on, show an error page, or redirect with an error. */
export type AuthorizeCheck =
  | { kind: "ok"; request: AuthorizeRequest }
  | { kind: "page"; message: string }
  | { kind: "redirect"; location: string };

/** `uri` with `params` added to its query. */
export function redirectWith(uri: string, params: Record<string, string | null>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * Validates an authorize query the way Discord does: an unknown `client_id` or an unregistered
 * `redirect_uri` shows an error page (never a redirect); later problems redirect with `error=`.
 */
export function checkAuthorize(state: SimState, query: URLSearchParams): AuthorizeCheck {
  const params = Object.fromEntries(query.entries());
  const clientId = query.get("client_id");
  const app = clientId ? state.applications.get(clientId) : undefined;
  if (!app) return { kind: "page", message: "Unknown Application: invalid OAuth2 client_id." };
  const redirectUri = query.get("redirect_uri");
  if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
    return { kind: "page", message: "Invalid OAuth2 redirect_uri." };
  }
  const stateParam = query.get("state");
  const fail = (error: string, description: string): AuthorizeCheck => ({
    kind: "redirect",
    location: redirectWith(redirectUri, { error, error_description: description, state: stateParam }),
  });
  if (query.get("response_type") !== "code") {
    return fail("unsupported_response_type", 'The "response_type" must be "code".');
  }
  const scopes = (query.get("scope") ?? "").split(/[ +]+/).filter(Boolean);
  if (scopes.length === 0 || scopes.some((s) => !KNOWN_SCOPES.has(s))) {
    return fail("invalid_scope", "The requested scope is invalid, unknown, or malformed.");
  }
  const challenge = query.get("code_challenge");
  const method = query.get("code_challenge_method");
  if (challenge !== null || method !== null) {
    if (method !== "S256") return fail("invalid_request", 'The "code_challenge_method" must be "S256".');
    if (challenge === null || !CHALLENGE.test(challenge)) {
      return fail("invalid_request", 'Invalid "code_challenge" in request.');
    }
  }
  return {
    kind: "ok",
    request: { app, redirectUri, scopes, state: stateParam, codeChallenge: challenge, params },
  };
}

/** The user the consent page pre-selects: the seeded authorizing user, else the first non-bot user. */
export function defaultAuthorizingUser(state: SimState): string | null {
  if (state.authorizingUserId && state.users.has(state.authorizingUserId)) return state.authorizingUserId;
  for (const user of state.users.values()) if (!user.bot) return user.id;
  return null;
}

/** Presses Authorize (issues a single-use code) or Cancel on a validated request. */
export function decideAuthorize(
  state: SimState,
  request: AuthorizeRequest,
  decision: { userId: string | null; deny: boolean },
): { kind: "redirect"; location: string } | { kind: "page"; message: string } {
  if (decision.deny) {
    return {
      kind: "redirect",
      location: redirectWith(request.redirectUri, {
        error: "access_denied",
        error_description: "The resource owner or authorization server denied the request",
        state: request.state,
      }),
    };
  }
  const user = decision.userId ? state.users.get(decision.userId) : undefined;
  if (!user || user.bot) return { kind: "page", message: "Choose a seeded user to authorize as." };
  const code = randomToken(30);
  state.codes.set(code, {
    code,
    clientId: request.app.clientId,
    redirectUri: request.redirectUri,
    userId: user.id,
    scopes: request.scopes,
    codeChallenge: request.codeChallenge,
    expiresAt: state.now() + CODE_TTL_MS,
    used: false,
  });
  return { kind: "redirect", location: redirectWith(request.redirectUri, { code, state: request.state }) };
}
