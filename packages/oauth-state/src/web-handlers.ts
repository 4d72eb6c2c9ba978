import { IdentityProviderError, type OAuthFlow, OAuthFlowError, SessionRequiredError } from "./errors";
import type { OAuthFlows } from "./flows";

/** Default name of the browser-binding cookie (prefixed `__Host-` when cookies are `Secure`). */
export const BROWSER_BINDING_COOKIE = "gk_oauth_binding";

/** Options of {@link createOAuthWebHandlers}. */
export interface OAuthWebHandlersOptions {
  /** Flows whose `onLoginComplete` and `onSignupConfirm` return `Response`s (set the session there). */
  flows: OAuthFlows<Response>;
  /** The signed-in member of a request, or `null` (the link routes require one). */
  currentMemberId(request: Request): Promise<string | null>;
  /**
   * Serve cookies `Secure` (set it when the public URL is https): the binding cookie is then named with
   * the `__Host-` prefix (`Secure`, `Path=/`, no `Domain`), so a sibling subdomain cannot plant one.
   */
  secureCookies: boolean;
  /** Browser-binding cookie name, without the `__Host-` prefix; default `gk_oauth_binding`. */
  cookieName?: string;
  /** Where "start again" points: default `{ login: "/login/discord", link: "/discord/login" }`. */
  startPaths?: { login: string; link: string };
  /**
   * Renders a refusal. Default: a small HTML page with the error's message and a "start again" link
   * (the home page for `SessionRequiredError`, a link route without a session).
   */
  renderError?(input: {
    error: OAuthFlowError;
    status: number;
    flow: OAuthFlow;
    startAgain: string;
  }): Response;
}

/** Web-standard handlers, mountable in Hono, Express (via an adapter), Fastify, Next.js route handlers… */
export interface OAuthWebHandlers {
  /** `GET /login/discord?next=/path` → 302 to Discord, binding cookie set. */
  startLogin(request: Request): Promise<Response>;
  /** `GET /login/discord/callback` → the `onLoginComplete` / `onSignupConfirm` response, or a refusal. */
  loginCallback(request: Request): Promise<Response>;
  /** `POST` of the signup confirmation form (field `signup_token`) → the `onLoginComplete` response. */
  confirmSignup(request: Request): Promise<Response>;
  /** `GET /discord/login?next=/path` (signed in) → 302 to Discord. */
  startLink(request: Request): Promise<Response>;
  /** `GET /discord/callback` (signed in) → 303 to the return path, or a refusal. */
  linkCallback(request: Request): Promise<Response>;
}

/**
 * Creates the OAuth routes as web-standard `(Request) => Promise<Response>` functions. The binding
 * cookie is `HttpOnly; SameSite=Lax; Path=/`, `Secure` and `__Host-`-prefixed when asked, lives at most
 * `BROWSER_BINDING_MAX_AGE_SECONDS` from its creation, and is cleared once a login signs in or a link
 * succeeds (kept while a signup confirmation is pending); two cookies of its name are ambiguous and read
 * as none. Every answer is `Cache-Control: no-store` and `Referrer-Policy: no-referrer` (a callback URL
 * carries a code). Flow errors become refusal pages (400 bad state, 401 no session, 403 unverified
 * email, 409 conflict, 502/504 Discord failing, 503 not configured); any other error is rethrown for the
 * host's error handler.
 */
export function createOAuthWebHandlers(options: OAuthWebHandlersOptions): OAuthWebHandlers {
  const cookieName = `${options.secureCookies ? "__Host-" : ""}${options.cookieName ?? BROWSER_BINDING_COOKIE}`;
  const startPaths = options.startPaths ?? { login: "/login/discord", link: "/discord/login" };
  const render = options.renderError ?? defaultErrorPage;
  const flows = options.flows;

  const bindingCookie = (value: string, maxAge: number) =>
    `${cookieName}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${options.secureCookies ? "; Secure" : ""}`;
  /** Sent once the binding has done its job (signed in, or linked). */
  const clearBinding = bindingCookie("", 0);

  const refuse = (error: unknown, flow: OAuthFlow): Response => {
    if (!(error instanceof OAuthFlowError)) throw error;
    const startAgain =
      error instanceof SessionRequiredError ? "/" : flow === "link" ? startPaths.link : startPaths.login;
    return harden(render({ error, status: statusOf(error), flow, startAgain }));
  };

  return {
    async startLogin(request) {
      try {
        // No `request.signal` here: reading it makes some adapters build a full Request (the hot path).
        const start = await flows.startLogin({
          postLoginPath: queryParam(request.url, "next"),
          browserBinding: readCookie(request, cookieName),
        });
        return redirect(
          start.authorizeUrl,
          302,
          bindingCookie(start.browserBinding, start.bindingMaxAgeSeconds),
        );
      } catch (error) {
        return refuse(error, "login");
      }
    },

    async loginCallback(request) {
      try {
        const outcome = await flows.completeLogin(
          { params: new URL(request.url).searchParams, browserBinding: readCookie(request, cookieName) },
          { signal: request.signal },
        );
        return harden(outcome.result, outcome.status === "signed_in" ? clearBinding : null);
      } catch (error) {
        return refuse(error, "login");
      }
    },

    async confirmSignup(request) {
      try {
        let token: string | null = null;
        if (request.method === "POST") {
          const form = await request.formData().catch(() => null);
          const value = form?.get("signup_token");
          token = typeof value === "string" ? value : null;
        }
        const outcome = await flows.confirmSignup(
          { signupToken: token, browserBinding: readCookie(request, cookieName) },
          { signal: request.signal },
        );
        return harden(outcome.result, outcome.status === "signed_in" ? clearBinding : null);
      } catch (error) {
        return refuse(error, "signup");
      }
    },

    async startLink(request) {
      try {
        const memberId = await options.currentMemberId(request);
        if (memberId === null) throw new SessionRequiredError({ flow: "link" });
        const start = await flows.startLink({
          memberId,
          returnPath: queryParam(request.url, "next"),
          browserBinding: readCookie(request, cookieName),
        });
        return redirect(
          start.authorizeUrl,
          302,
          bindingCookie(start.browserBinding, start.bindingMaxAgeSeconds),
        );
      } catch (error) {
        return refuse(error, "link");
      }
    },

    async linkCallback(request) {
      try {
        // Without a session the flow refuses (and logs) it: `memberId` null.
        const linked = await flows.completeLink(
          {
            params: new URL(request.url).searchParams,
            browserBinding: readCookie(request, cookieName),
            memberId: await options.currentMemberId(request),
          },
          { signal: request.signal },
        );
        return redirect(linked.returnPath, 303, clearBinding);
      } catch (error) {
        return refuse(error, "link");
      }
    },
  };
}

/** The HTTP status a flow error maps to. */
export function statusOf(error: OAuthFlowError): number {
  switch (error.code) {
    case "identity_provider_failed":
      return (error as IdentityProviderError).reason === "timeout" ? 504 : 502;
    case "email_unverified":
      return 403;
    case "account_link_conflict":
      return 409;
    case "member_not_found":
    case "session_required":
      return 401;
    case "oauth_not_configured":
      return 503;
    default:
      return error instanceof IdentityProviderError ? 502 : 400;
  }
}

/** A query parameter of a URL without building a `URL` (the start routes are hot). */
function queryParam(url: string, name: string): string | null {
  const start = url.indexOf("?");
  if (start === -1) return null;
  const end = url.indexOf("#", start);
  return new URLSearchParams(url.slice(start + 1, end === -1 ? undefined : end)).get(name);
}

/**
 * The value of cookie `name` in a request, or `null` — also when the request carries two cookies of that
 * name (one may have been planted for another path or domain: ambiguous, so neither is trusted).
 */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (header === null) return null;
  let value: string | null = null;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index === -1 || part.slice(0, index).trim() !== name) continue;
    if (value !== null) return null;
    value = part.slice(index + 1).trim();
  }
  return value;
}

const HARDENING: ReadonlyArray<[string, string]> = [
  ["cache-control", "no-store"],
  ["referrer-policy", "no-referrer"],
];

function redirect(location: string, status: number, cookie: string | null): Response {
  // Built once, headers as a plain record and an empty string body: adapters such as
  // @hono/node-server then write it without building a full Fetch Response (the hot path).
  const headers: Record<string, string> = { location };
  for (const [name, value] of HARDENING) headers[name] = value;
  if (cookie !== null) headers["set-cookie"] = cookie;
  return new Response("", { status, headers });
}

/** Adds the hardening headers, and `cookie` as one more `Set-Cookie` when given. */
function harden(response: Response, cookie: string | null = null): Response {
  const apply = (headers: Headers) => {
    for (const [name, value] of HARDENING) headers.set(name, value);
    if (cookie !== null) headers.append("set-cookie", cookie);
  };
  try {
    apply(response.headers);
    return response;
  } catch {
    // Immutable headers (e.g. `Response.redirect`): copy once.
    const copy = new Response(response.body, response);
    apply(copy.headers);
    return copy;
  }
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function defaultErrorPage(input: { error: OAuthFlowError; status: number; startAgain: string }): Response {
  const signIn = input.error instanceof SessionRequiredError;
  const title = signIn ? "Sign in first" : "Sign-in with Discord did not complete";
  const action = signIn ? "Go to the home page" : "Start again";
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><p role="alert" data-code="${escapeHtml(input.error.code)}">${escapeHtml(input.error.message)}</p><p><a href="${escapeHtml(input.startAgain)}">${escapeHtml(action)}</a></p></main></body></html>`;
  return new Response(body, {
    status: input.status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
