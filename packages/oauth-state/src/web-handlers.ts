import { IdentityProviderError, type OAuthFlow, OAuthFlowError } from "./errors";
import type { OAuthFlows } from "./flows";

/** Default name of the browser-binding cookie. */
export const BROWSER_BINDING_COOKIE = "gk_oauth_binding";

/** Options of {@link createOAuthWebHandlers}. */
export interface OAuthWebHandlersOptions {
  /** Flows whose `onLoginComplete` and `onSignupConfirm` return `Response`s (set the session there). */
  flows: OAuthFlows<Response>;
  /** The signed-in member of a request, or `null` (the link routes require one). */
  currentMemberId(request: Request): Promise<string | null>;
  /** Add `Secure` to cookies (set it when the public URL is https). */
  secureCookies: boolean;
  /** Browser-binding cookie name; default `gk_oauth_binding`. */
  cookieName?: string;
  /** Where "start again" points: default `{ login: "/login/discord", link: "/discord/login" }`. */
  startPaths?: { login: string; link: string };
  /**
   * Renders a refusal. Default: a small HTML page with the error's message and a "start again" link.
   * `error` is `null` for "sign in first" (a link route without a session).
   */
  renderError?(input: {
    error: OAuthFlowError | null;
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
 * Creates the OAuth routes as web-standard `(Request) => Promise<Response>` functions: cookies are
 * `HttpOnly; SameSite=Lax; Path=/`, `Secure` when asked, with a short `Max-Age`; every answer is
 * `Cache-Control: no-store` and `Referrer-Policy: no-referrer` (a callback URL carries a code). Flow
 * errors become refusal pages (400 bad state, 403 unverified email, 409 conflict, 502/504 Discord
 * failing, 503 not configured); any other error is rethrown for the host's error handler.
 */
export function createOAuthWebHandlers(options: OAuthWebHandlersOptions): OAuthWebHandlers {
  const cookieName = options.cookieName ?? BROWSER_BINDING_COOKIE;
  const startPaths = options.startPaths ?? { login: "/login/discord", link: "/discord/login" };
  const render = options.renderError ?? defaultErrorPage;
  const flows = options.flows;

  const bindingCookie = (value: string, maxAge: number) =>
    `${cookieName}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${options.secureCookies ? "; Secure" : ""}`;

  const refuse = (error: unknown, flow: OAuthFlow): Response => {
    if (!(error instanceof OAuthFlowError)) throw error;
    const startAgain = flow === "link" ? startPaths.link : startPaths.login;
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
        return harden(outcome.result);
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
        return harden(outcome.result);
      } catch (error) {
        return refuse(error, "signup");
      }
    },

    async startLink(request) {
      const memberId = await options.currentMemberId(request);
      if (memberId === null) {
        return harden(render({ error: null, status: 401, flow: "link", startAgain: "/" }));
      }
      try {
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
      const memberId = await options.currentMemberId(request);
      if (memberId === null) {
        return harden(render({ error: null, status: 401, flow: "link", startAgain: "/" }));
      }
      try {
        const linked = await flows.completeLink(
          {
            params: new URL(request.url).searchParams,
            browserBinding: readCookie(request, cookieName),
            memberId,
          },
          { signal: request.signal },
        );
        return redirect(linked.returnPath, 303, null);
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

/** The value of cookie `name` in a request, or `null`. */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (header === null) return null;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return null;
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

function harden(response: Response): Response {
  try {
    for (const [name, value] of HARDENING) response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (e.g. `Response.redirect`): copy once.
    const copy = new Response(response.body, response);
    for (const [name, value] of HARDENING) copy.headers.set(name, value);
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

function defaultErrorPage(input: {
  error: OAuthFlowError | null;
  status: number;
  startAgain: string;
}): Response {
  const message = input.error?.message ?? "Sign in first, then link your Discord account.";
  const title = input.error === null ? "Sign in first" : "Sign-in with Discord did not complete";
  const action = input.error === null ? "Go to the home page" : "Start again";
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><p role="alert" data-code="${escapeHtml(input.error?.code ?? "session_required")}">${escapeHtml(message)}</p><p><a href="${escapeHtml(input.startAgain)}">${escapeHtml(action)}</a></p></main></body></html>`;
  return new Response(body, {
    status: input.status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
