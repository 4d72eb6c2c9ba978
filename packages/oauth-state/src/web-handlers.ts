import { hostCookieName, readCookie, setCookie } from "./cookies";
import { OAuthConfigError, type OAuthFlow, OAuthFlowError, SessionRequiredError } from "./errors";
import type { OAuthFlows } from "./flows";
import { MAX_FORM_BYTES, readFormField } from "./form-body";
import type { LinkCompleted } from "./link-flow";
import type { ReplaceConfirmation } from "./link-replace";
import type { Sessions } from "./sessions";
import { defaultErrorPage, defaultReplacePage } from "./web-pages";
import { harden, queryParam, redirect, statusOf } from "./web-responses";

export { readCookie } from "./cookies";
export { escapeHtml } from "./web-pages";
export { statusOf } from "./web-responses";

/** Default name of the browser-binding cookie (prefixed `__Host-` when cookies are `Secure`). */
export const BROWSER_BINDING_COOKIE = "gk_oauth_binding";

/** Options of {@link createOAuthWebHandlers}. */
export interface OAuthWebHandlersOptions {
  /** Flows whose `onLoginComplete` and `onSignupConfirm` return `Response`s (set the session there). */
  flows: OAuthFlows<Response>;
  /**
   * The host's sessions from `createSessions` (the signed-in member of a request; other sessions of a
   * member are revoked when their Discord account is replaced). Give this or `currentMemberId`.
   */
  sessions?: Pick<Sessions, "memberIdOf" | "revokeOthers">;
  /** For hosts with sessions of their own: the signed-in member of a request, or `null`. */
  currentMemberId?(request: Request): Promise<string | null>;
  /**
   * Told after a member's Discord account was replaced (after `sessions.revokeOthers`, when `sessions`
   * is given): a host with its own sessions revokes the member's other sessions here.
   */
  onDiscordReplaced?(input: { request: Request; linked: LinkCompleted }): Promise<void> | void;
  /**
   * Serve cookies `Secure` (set it when the public URL is https): the binding cookie is then named with
   * the `__Host-` prefix (`Secure`, `Path=/`, no `Domain`), so a sibling subdomain cannot plant one.
   */
  secureCookies: boolean;
  /** Browser-binding cookie name, without the `__Host-` prefix; default `gk_oauth_binding`. */
  cookieName?: string;
  /** Where "start again" points: default `{ login: "/login/discord", link: "/discord/login" }`. */
  startPaths?: { login: string; link: string };
  /** Where the replacement confirmation form posts; default `/discord/confirm`. */
  replaceConfirmPath?: string;
  /** The largest form `confirmSignup` / `confirmReplace` read, in bytes; default 16 KiB (413 above). */
  maxFormBytes?: number;
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
  /**
   * Renders "Replace Discord account X with Y?" — a form that posts `replace_token` to
   * `replaceConfirmPath`. Default: a small HTML page.
   */
  renderReplaceConfirm?(confirmation: ReplaceConfirmation): Response;
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
  /**
   * `GET /discord/callback` (signed in) → 303 to the return path, the replacement confirmation page
   * when the member is linked to another Discord account, or a refusal.
   */
  linkCallback(request: Request): Promise<Response>;
  /** `POST` of the replacement confirmation form (field `replace_token`, signed in) → 303 to the return path. */
  confirmReplace(request: Request): Promise<Response>;
}

/**
 * Creates the OAuth routes as web-standard `(Request) => Promise<Response>` functions. The binding
 * cookie is `HttpOnly; SameSite=Lax; Path=/`, `Secure` and `__Host-`-prefixed when asked, lives at most
 * `BROWSER_BINDING_MAX_AGE_SECONDS` from its creation, and is cleared once a login signs in or a link
 * succeeds (kept while a signup or replacement confirmation is pending); two cookies of its name are
 * ambiguous and read as none. Every answer is `Cache-Control: no-store` and `Referrer-Policy:
 * no-referrer` (a callback URL carries a code). The confirmation forms are read up to `maxFormBytes`
 * (413 beyond, before the body is read in full). Flow errors become refusal pages (400 bad state,
 * 401 no session, 403 unverified email, 409 conflict, 413 form too large, 502/504 Discord failing,
 * 503 not configured); any other error is rethrown for the host's error handler.
 *
 * @throws OAuthConfigError when neither `sessions` nor `currentMemberId` is given.
 */
export function createOAuthWebHandlers(options: OAuthWebHandlersOptions): OAuthWebHandlers {
  const s = handlerContext(options);
  return { ...loginHandlers(s), ...linkHandlers(s) };
}

/** What every handler shares: options resolved, cookies, refusals. */
interface HandlerContext {
  flows: OAuthFlows<Response>;
  limitBytes: number;
  currentMemberId(request: Request): Promise<string | null>;
  renderReplace(confirmation: ReplaceConfirmation): Response;
  /** The browser-binding cookie of a request. */
  binding(request: Request): string | null;
  bindingCookie(value: string, maxAge: number): string;
  /** Sent once the binding has done its job (signed in, or linked). */
  clearBinding: string;
  /** A flow error as a refusal page; anything else is rethrown. */
  refuse(error: unknown, flow: OAuthFlow): Response;
  /** After a link: revoke the member's other sessions when it replaced an account, then redirect. */
  linked(request: Request, done: LinkCompleted): Promise<Response>;
}

function handlerContext(options: OAuthWebHandlersOptions): HandlerContext {
  const cookieName = hostCookieName(options.cookieName ?? BROWSER_BINDING_COOKIE, options.secureCookies);
  const startPaths = options.startPaths ?? { login: "/login/discord", link: "/discord/login" };
  const replacePath = options.replaceConfirmPath ?? "/discord/confirm";
  const render = options.renderError ?? defaultErrorPage;
  const bindingCookie = (value: string, maxAge: number) =>
    setCookie(cookieName, value, { maxAge, secure: options.secureCookies });
  const clearBinding = bindingCookie("", 0);
  return {
    flows: options.flows,
    limitBytes: options.maxFormBytes ?? MAX_FORM_BYTES,
    currentMemberId: memberIdSource(options),
    renderReplace: options.renderReplaceConfirm ?? ((c) => defaultReplacePage(c, replacePath)),
    binding: (request) => readCookie(request, cookieName),
    bindingCookie,
    clearBinding,
    refuse(error, flow) {
      if (!(error instanceof OAuthFlowError)) throw error;
      const startAgain =
        error instanceof SessionRequiredError
          ? "/"
          : flow === "link" || flow === "replace"
            ? startPaths.link
            : startPaths.login;
      return harden(render({ error, status: statusOf(error), flow, startAgain }));
    },
    async linked(request, done) {
      if (done.replacedDiscordUserId !== null) {
        await options.sessions?.revokeOthers(request, { signal: request.signal });
        await options.onDiscordReplaced?.({ request, linked: done });
      }
      return redirect(done.returnPath, 303, clearBinding);
    },
  };
}

/** `startLogin`, `loginCallback`, `confirmSignup`. */
function loginHandlers(
  s: HandlerContext,
): Pick<OAuthWebHandlers, "startLogin" | "loginCallback" | "confirmSignup"> {
  return {
    async startLogin(request) {
      try {
        // No `request.signal` here: reading it makes some adapters build a full Request (the hot path).
        const start = await s.flows.startLogin({
          postLoginPath: queryParam(request.url, "next"),
          browserBinding: s.binding(request),
        });
        return redirect(
          start.authorizeUrl,
          302,
          s.bindingCookie(start.browserBinding, start.bindingMaxAgeSeconds),
        );
      } catch (error) {
        return s.refuse(error, "login");
      }
    },
    async loginCallback(request) {
      try {
        const outcome = await s.flows.completeLogin(
          { params: new URL(request.url).searchParams, browserBinding: s.binding(request) },
          { signal: request.signal },
        );
        return harden(outcome.result, outcome.status === "signed_in" ? s.clearBinding : null);
      } catch (error) {
        return s.refuse(error, "login");
      }
    },
    async confirmSignup(request) {
      try {
        const token = await readFormField(request, "signup_token", {
          limitBytes: s.limitBytes,
          flow: "signup",
        });
        const outcome = await s.flows.confirmSignup(
          { signupToken: token, browserBinding: s.binding(request) },
          { signal: request.signal },
        );
        return harden(outcome.result, outcome.status === "signed_in" ? s.clearBinding : null);
      } catch (error) {
        return s.refuse(error, "signup");
      }
    },
  };
}

/** `startLink`, `linkCallback`, `confirmReplace` (all need a signed-in member). */
function linkHandlers(
  s: HandlerContext,
): Pick<OAuthWebHandlers, "startLink" | "linkCallback" | "confirmReplace"> {
  return {
    async startLink(request) {
      try {
        const memberId = await s.currentMemberId(request);
        if (memberId === null) throw new SessionRequiredError({ flow: "link" });
        const start = await s.flows.startLink({
          memberId,
          returnPath: queryParam(request.url, "next"),
          browserBinding: s.binding(request),
        });
        return redirect(
          start.authorizeUrl,
          302,
          s.bindingCookie(start.browserBinding, start.bindingMaxAgeSeconds),
        );
      } catch (error) {
        return s.refuse(error, "link");
      }
    },
    async linkCallback(request) {
      try {
        // Without a session the flow refuses (and logs) it: `memberId` null.
        const outcome = await s.flows.completeLink(
          {
            params: new URL(request.url).searchParams,
            browserBinding: s.binding(request),
            memberId: await s.currentMemberId(request),
          },
          { signal: request.signal },
        );
        // The binding stays for the confirmation (the replace token is bound to it).
        if (outcome.status === "replace_pending") return harden(s.renderReplace(outcome.confirmation));
        return await s.linked(request, outcome);
      } catch (error) {
        return s.refuse(error, "link");
      }
    },
    async confirmReplace(request) {
      try {
        const token = await readFormField(request, "replace_token", {
          limitBytes: s.limitBytes,
          flow: "replace",
        });
        const done = await s.flows.confirmReplace(
          {
            replaceToken: token,
            browserBinding: s.binding(request),
            memberId: await s.currentMemberId(request),
          },
          { signal: request.signal },
        );
        return await s.linked(request, done);
      } catch (error) {
        return s.refuse(error, "replace");
      }
    },
  };
}

function memberIdSource(options: OAuthWebHandlersOptions): (request: Request) => Promise<string | null> {
  const { sessions, currentMemberId } = options;
  if (currentMemberId !== undefined) return (request) => currentMemberId(request);
  if (sessions !== undefined) return (request) => sessions.memberIdOf(request, { signal: request.signal });
  throw new OAuthConfigError(
    "createOAuthWebHandlers needs `sessions` (from createSessions) or `currentMemberId`",
    {
      code: "invalid_option",
      option: "sessions",
    },
  );
}
