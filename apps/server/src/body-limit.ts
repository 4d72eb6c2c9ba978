import type { ProcessSettings } from "@guildkit/config";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/** The routes that take JSON: the admin API. Every other route (forms, pages) has the form limit. */
const JSON_ROUTES = "/admin/api/";

/**
 * Caps every request body before a route reads it: `bodyLimits.json` under `/admin/api/`,
 * `bodyLimits.form` everywhere else (`POST /login/discord/confirm`, `POST /logout`, …). A declared
 * `Content-Length` over the limit is answered 413 at once, unread; a chunked body is read only up
 * to the limit (hono's `bodyLimit` does both). The 413 is JSON naming the limit and its setting,
 * and closes the connection, so the rest of the body is not drained either.
 */
export function bodyLimits(limits: ProcessSettings["bodyLimits"]): MiddlewareHandler {
  const tooLarge = (limit: number, variable: string) => (c: Context) => {
    c.header("connection", "close");
    return c.json(
      {
        error: "payload_too_large",
        message: `The request body is larger than this route's limit of ${limit} bytes (${variable}); send a smaller one.`,
        limit,
      },
      413,
    );
  };
  const json = bodyLimit({ maxSize: limits.json, onError: tooLarge(limits.json, "BODY_LIMIT_JSON") });
  const form = bodyLimit({ maxSize: limits.form, onError: tooLarge(limits.form, "BODY_LIMIT_FORM") });
  return (c, next) => {
    // Node's adapter gives GET and HEAD no body at all; skipping them keeps the hot redirects cheap.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    return (c.req.path.startsWith(JSON_ROUTES) ? json : form)(c, next);
  };
}
