import type { ProcessSettings } from "@guildkit/config";
import type { MiddlewareHandler } from "hono";
import { LAYOUT_STYLE_SOURCE } from "./oauth/pages";

/**
 * The OAuth routes: their URLs carry a code and a state (and their pages a signup token), so nothing
 * loaded from or linked on them may send the URL on as a `Referer`.
 */
const OAUTH_PATH = /^\/(?:login\/discord|discord\/(?:login|callback))(?:\/|$)/;

/** One year; sent only when the server is reached over https. */
const HSTS = "max-age=31536000";

/**
 * Security headers for every answer of the reference server:
 * - every response: `X-Content-Type-Options: nosniff`; `Strict-Transport-Security` when
 *   `PUBLIC_BASE_URL` is https; `Referrer-Policy: no-referrer` on the OAuth routes.
 * - every HTML page: `X-Frame-Options: DENY` and `Content-Security-Policy: default-src 'self';
 *   style-src <the layout style's hash>; base-uri 'none'; frame-ancestors 'none'` — no inline script
 *   and no inline style but the layout's. A page that sets a policy of its own keeps it, with
 *   `frame-ancestors 'none'` added when it lacks one.
 */
export function securityHeaders(settings: Pick<ProcessSettings, "publicBaseUrl">): MiddlewareHandler {
  const https = settings.publicBaseUrl.startsWith("https:");
  const policy = `default-src 'self'; style-src ${LAYOUT_STYLE_SOURCE}; base-uri 'none'; frame-ancestors 'none'`;
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set("x-content-type-options", "nosniff");
    if (https) headers.set("strict-transport-security", HSTS);
    if (OAUTH_PATH.test(c.req.path)) headers.set("referrer-policy", "no-referrer");
    // Only pages need the framing and content rules (a redirect has no page); reading the status
    // first keeps the hot redirects cheap.
    if (c.res.status >= 300 && c.res.status < 400) return;
    if (!headers.get("content-type")?.startsWith("text/html")) return;
    headers.set("x-frame-options", "DENY");
    const own = headers.get("content-security-policy");
    if (own === null) headers.set("content-security-policy", policy);
    else if (!/(^|;)\s*frame-ancestors\s/.test(own)) {
      headers.set("content-security-policy", `${own}; frame-ancestors 'none'`);
    }
  };
}
