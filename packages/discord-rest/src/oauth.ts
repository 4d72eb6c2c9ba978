import { errnoOf } from "@guildkit/core";
import { type Dispatcher, request as undiciRequest } from "undici";
import type { z } from "zod";
import { DEFAULT_USER_AGENT, DISCORD_API_BASE_URL, type SignalOptions } from "./defaults";
import {
  DiscordAbortError,
  DiscordNetworkError,
  DiscordOAuthError,
  DiscordResponseError,
  DiscordTimeoutError,
} from "./errors";
import { parseRateLimitBody, parseRateLimitHeaders, retryAfterOf429 } from "./headers";
import { currentUserSchema, describeIssues, oauthErrorSchema, tokenResponseSchema } from "./schemas";

/** Default authorize page. */
export const DISCORD_AUTHORIZE_URL = "https://discord.com/oauth2/authorize";

/** Options of {@link createDiscordOAuth}. */
export interface DiscordOAuthOptions {
  /** The application's client id. */
  clientId: string;
  /** The application's client secret. Never logged, never in an error. */
  clientSecret: string;
  /** Default `https://discord.com/api/v10` (the token endpoint is `<base>/oauth2/token`). */
  apiBaseUrl?: string;
  /** Default `https://discord.com/oauth2/authorize`. */
  authorizeUrl?: string;
  /** Default `DiscordBot (https://github.com/guildkit/guildkit, <version>)`. */
  userAgent?: string;
  /** Per-request timeout in ms (default 15 000). */
  timeoutMs?: number;
  /** undici dispatcher; default undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

/** Tokens from the token endpoint. Secret: never log them. */
export interface DiscordTokenSet {
  accessToken: string;
  /** `Bearer`. */
  tokenType: string;
  /** Lifetime of the access token in seconds (Discord: 604 800). */
  expiresIn: number;
  refreshToken: string | null;
  /** Granted scopes. */
  scopes: string[];
}

/** The user behind an access token. `email`/`verified` need the `email` scope; `verified` is false when absent. */
export interface DiscordOAuthUser {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
  email: string | null;
  /** Whether Discord verified `email`. Never match an account by an unverified email. */
  verified: boolean;
}

/** Input of {@link DiscordOAuth.authorizeUrl}. */
export interface AuthorizeUrlInput {
  redirectUri: string;
  scopes: readonly string[];
  /** Opaque CSRF state, echoed back on the redirect. */
  state: string;
  /** PKCE S256 challenge: base64url(sha256(verifier)), 43–128 characters. */
  codeChallenge: string;
  /** `consent` shows the consent screen again; `none` skips it when already authorized. */
  prompt?: "consent" | "none";
}

/** Discord OAuth2 for login and account linking (authorization-code grant with PKCE). */
export interface DiscordOAuth {
  /**
   * The URL to send the browser to (`response_type=code`, PKCE `S256` always).
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
   */
  authorizeUrl(input: AuthorizeUrlInput): string;
  /**
   * Exchanges an authorization code (form-encoded, client auth by HTTP Basic). Not retried: a code is single-use.
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-access-token-exchange-example
   */
  exchangeCode(
    input: { code: string; redirectUri: string; codeVerifier: string } & SignalOptions,
  ): Promise<DiscordTokenSet>;
  /**
   * Exchanges a refresh token for a new token set.
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-refresh-token-exchange-example
   */
  refreshToken(input: { refreshToken: string } & SignalOptions): Promise<DiscordTokenSet>;
  /**
   * Revokes a token (and with it every token of that authorization).
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-token-revocation-example
   */
  revokeToken(
    input: { token: string; tokenTypeHint?: "access_token" | "refresh_token" } & SignalOptions,
  ): Promise<void>;
  /**
   * The user behind an access token (`GET /users/@me` with `Bearer`), validated with zod.
   * @see https://discord.com/developers/docs/resources/user#get-current-user
   */
  getCurrentUser(input: { accessToken: string } & SignalOptions): Promise<DiscordOAuthUser>;
}

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;

function formEncode(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join("&");
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * Creates the OAuth2 client. Secrets (client secret, codes, verifiers, tokens) never appear in an
 * error message.
 *
 * @example
 * const oauth = createDiscordOAuth({ clientId, clientSecret });
 * const url = oauth.authorizeUrl({ redirectUri, scopes: ["identify", "email"], state, codeChallenge });
 * const tokens = await oauth.exchangeCode({ code, redirectUri, codeVerifier });
 * const user = await oauth.getCurrentUser({ accessToken: tokens.accessToken });
 */
export function createDiscordOAuth(options: DiscordOAuthOptions): DiscordOAuth {
  if (!options.clientId || !options.clientSecret) {
    throw new TypeError("createDiscordOAuth: clientId and clientSecret are required");
  }
  const apiBaseUrl = (options.apiBaseUrl ?? DISCORD_API_BASE_URL).replace(/\/+$/, "");
  const authorizeBase = options.authorizeUrl ?? DISCORD_AUTHORIZE_URL;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const basic = `Basic ${Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString("base64")}`;

  async function call(
    route: string,
    path: string,
    init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string },
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; json: unknown; retryAfterMs: number | null }> {
    signal?.throwIfAborted?.();
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await undiciRequest(apiBaseUrl + path, {
        method: init.method,
        headers: { "user-agent": userAgent, accept: "application/json", ...init.headers },
        body: init.body,
        signal: combined,
        dispatcher: options.dispatcher,
      });
      const text = await response.body.text();
      const json = parseJson(text);
      let retryAfterMs: number | null = null;
      if (response.statusCode === 429) {
        retryAfterMs = retryAfterOf429(parseRateLimitHeaders(response.headers), parseRateLimitBody(json));
      }
      return { status: response.statusCode, json, retryAfterMs };
    } catch (error) {
      if (signal?.aborted) throw new DiscordAbortError(`${route} was aborted by the caller`, { route });
      if (timeout.aborted) {
        throw new DiscordTimeoutError(`${route} got no answer within ${timeoutMs} ms; retry later`, {
          route,
          timeoutMs,
        });
      }
      throw new DiscordNetworkError(`${route} failed to connect; check network access to Discord`, {
        route,
        errno: errnoOf(error),
        cause: error,
      });
    }
  }

  function failure(
    route: string,
    status: number,
    json: unknown,
    retryAfterMs: number | null,
  ): DiscordOAuthError {
    const parsed = oauthErrorSchema.safeParse(json);
    const record = (json ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof record.code === "number" ? record.code : null;
    let error = parsed.success ? parsed.data.error : status === 401 ? "invalid_token" : "http_error";
    let description = parsed.success
      ? (parsed.data.error_description ?? null)
      : typeof record.message === "string"
        ? record.message
        : null;
    if (status === 429) {
      error = "rate_limited";
      description ??= "You are being rate limited.";
    }
    const retryable = status === 429 || status >= 500;
    const what =
      error === "invalid_grant"
        ? "the code is invalid, expired, already used, or the redirect URI / PKCE verifier does not match; start the login again"
        : error === "invalid_client"
          ? "the client id or secret is wrong; check the OAuth2 settings"
          : error === "invalid_token"
            ? "the access token is invalid or expired; sign in again"
            : retryable
              ? "retry later"
              : "check the OAuth2 settings";
    return new DiscordOAuthError(
      `${route} → ${status} ${error}${description ? ` (${description})` : ""}: ${what}`,
      { error, description, status, route, retryable, retryAfterMs, code },
    );
  }

  function validated<S extends z.ZodType>(
    schema: S,
    route: string,
    status: number,
    json: unknown,
  ): z.output<S> {
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issues = describeIssues(parsed.error);
    throw new DiscordResponseError(
      `${route} answered ${status} with an unexpected body (${issues.join("; ")})`,
      {
        route,
        status,
        issues,
      },
    );
  }

  async function tokenRequest(
    fields: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<DiscordTokenSet> {
    const route = "POST /oauth2/token";
    const { status, json, retryAfterMs } = await call(
      route,
      "/oauth2/token",
      {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
        body: formEncode(fields),
      },
      signal,
    );
    if (status !== 200) throw failure(route, status, json, retryAfterMs);
    const data = validated(tokenResponseSchema, route, status, json);
    return {
      accessToken: data.access_token,
      tokenType: data.token_type,
      expiresIn: data.expires_in,
      refreshToken: data.refresh_token ?? null,
      scopes: data.scope.split(/\s+/).filter(Boolean),
    };
  }

  return {
    authorizeUrl({ redirectUri, scopes, state, codeChallenge, prompt }) {
      if (!PKCE_CHALLENGE.test(codeChallenge)) {
        throw new TypeError("codeChallenge must be base64url(sha256(verifier)), 43–128 characters");
      }
      if (scopes.length === 0) throw new TypeError("scopes must not be empty");
      const params: Record<string, string> = {
        response_type: "code",
        client_id: options.clientId,
        scope: scopes.join(" "),
        state,
        redirect_uri: redirectUri,
        code_challenge: codeChallenge,
        code_challenge_method: "S256",
      };
      if (prompt) params.prompt = prompt;
      const separator = authorizeBase.includes("?") ? "&" : "?";
      return authorizeBase + separator + formEncode(params);
    },
    exchangeCode({ code, redirectUri, codeVerifier, signal }) {
      return tokenRequest(
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: codeVerifier },
        signal,
      );
    },
    refreshToken({ refreshToken, signal }) {
      return tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken }, signal);
    },
    async revokeToken({ token, tokenTypeHint, signal }) {
      const route = "POST /oauth2/token/revoke";
      const fields: Record<string, string> = { token };
      if (tokenTypeHint) fields.token_type_hint = tokenTypeHint;
      const { status, json, retryAfterMs } = await call(
        route,
        "/oauth2/token/revoke",
        {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: formEncode(fields),
        },
        signal,
      );
      if (status < 200 || status >= 300) throw failure(route, status, json, retryAfterMs);
    },
    async getCurrentUser({ accessToken, signal }) {
      const route = "GET /users/@me";
      const { status, json, retryAfterMs } = await call(
        route,
        "/users/@me",
        { method: "GET", headers: { authorization: `Bearer ${accessToken}` } },
        signal,
      );
      if (status !== 200) throw failure(route, status, json, retryAfterMs);
      const user = validated(currentUserSchema, route, status, json);
      return {
        id: user.id,
        username: user.username,
        global_name: user.global_name ?? null,
        avatar: user.avatar ?? null,
        email: user.email ?? null,
        verified: user.verified === true,
      };
    },
  };
}
