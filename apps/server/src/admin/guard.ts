import type { Clock } from "@guildkit/core";
import type { Context } from "hono";
import type { ServerContext } from "../context";
import type { AdminApi } from "./api-client";
import { html } from "./html";
import { layout, respond } from "./layout";
import type { AdminSession, AdminSessions } from "./session";

/** What every console route module receives. */
export interface ConsoleDeps {
  ctx: ServerContext;
  sessions: AdminSessions;
  api: AdminApi;
  clock: Clock;
}

/** A console handler: the request and the signed-in admin's session. */
export type ConsoleHandler = (c: Context, session: AdminSession) => Promise<Response>;

/** A submitted form's text fields (files ignored). */
export type FormFields = Record<string, string>;

/** With no admin token the console is off, as the admin API is. */
function disabled(c: Context) {
  return respond(
    c,
    layout(
      { title: "Admin console disabled", page: "login", csrf: null },
      html`<p>The admin console is disabled: set <code>ADMIN_TOKEN</code> and restart the server.</p>`,
    ),
    503,
  );
}

/** A page: signed-in admins only; anyone else is sent to the sign-in form. */
export function page(deps: ConsoleDeps, handler: ConsoleHandler) {
  return async (c: Context) => {
    if (!deps.ctx.settings.adminToken) return disabled(c);
    const session = await deps.sessions.read(c.req.raw);
    if (!session) return c.redirect("/admin/login", 303);
    return handler(c, session);
  };
}

/**
 * A form action: a signed-in admin's session and its CSRF token (`_csrf` in the form, or the
 * `X-CSRF-Token` header for the preview script) — otherwise 403, nothing done. The handler gets
 * the parsed fields.
 */
export function action(
  deps: ConsoleDeps,
  handler: (c: Context, session: AdminSession, form: FormFields) => Promise<Response>,
) {
  return async (c: Context) => {
    if (!deps.ctx.settings.adminToken) return disabled(c);
    const session = await deps.sessions.read(c.req.raw);
    const form = await readForm(c);
    const token = c.req.header("x-csrf-token") ?? form._csrf;
    if (!session || !deps.sessions.checkCsrf(session, token)) {
      return respond(
        c,
        layout(
          { title: "Refused", page: "login", csrf: null },
          html`<p id="refused">This form was refused: it did not come from a signed-in console page (the session ended or the CSRF token is wrong). <a href="/admin/login">Sign in again</a> and resend it.</p>`,
        ),
        403,
      );
    }
    return handler(c, session, form);
  };
}

/** The body of a form post (or of the preview script's `application/x-www-form-urlencoded` call). */
export async function readForm(c: Context): Promise<FormFields> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
    return {};
  }
  const body = await c.req.parseBody();
  const out: FormFields = Object.create(null);
  for (const [key, value] of Object.entries(body)) if (typeof value === "string") out[key] = value;
  return out;
}
