import { hostCookieName, readCookie } from "@guildkit/oauth-state";
import { createBearerCheck } from "@guildkit/runtime";
import type { Context, Hono } from "hono";
import { type ConsoleDeps, readForm } from "./guard";
import { html } from "./html";
import { layout, respond } from "./layout";
import { loginNonce } from "./session";
import { checkSignInCode } from "./sign-in-link";

/** Seconds the sign-in form's double-submit cookie lives. */
const LOGIN_FORM_SECONDS = 10 * 60;

/**
 * `GET /admin/login` (the form), `POST /admin/login` (the admin token, once, for a session),
 * `POST /admin/logout` (ends it), `GET /admin` (to the settings). The sign-in form carries a
 * double-submit token (a random value in a `SameSite=Strict` cookie and in the form), so another
 * site cannot sign a browser in either. `GET /admin/login?once=<code>` (the one-time link `pnpm start`
 * prints) shows a "Sign in" button instead of the token field; posting it signs in once: the code's
 * nonce is consumed in the store's nonces, so a second use, on any server, is refused.
 */
export function loginRoutes(app: Hono, deps: ConsoleDeps): void {
  const { settings } = deps.ctx;
  const secure = settings.publicBaseUrl.startsWith("https:");
  const formCookie = hostCookieName("gk_admin_login", secure);
  const cookie = (value: string, maxAge: number) =>
    `${formCookie}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  const authorized = createBearerCheck(settings.adminToken);

  const form = (
    c: Context,
    error: string | null,
    status: 200 | 400 | 403 | 503 = 200,
    once: string | null = null,
  ) => {
    const nonce = loginNonce();
    c.header("set-cookie", cookie(nonce, LOGIN_FORM_SECONDS));
    // A one-time code is in this page's URL: never sent on as a referrer.
    c.header("referrer-policy", "no-referrer");
    const fields = once
      ? html`<input type="hidden" name="once" value="${once}"><p class="help">This one-time link signs you in once, for a session of at most 8 hours (30 minutes idle).</p>`
      : html`<label for="admin-token">Admin token</label><input type="password" id="admin-token" name="token" autocomplete="current-password" required><p class="help">The <code>ADMIN_TOKEN</code> the server was started with. It is exchanged for a session of at most 8 hours (30 minutes idle); the token itself is not kept in the browser.</p>`;
    return respond(
      c,
      layout(
        { title: "Sign in", page: "login", csrf: null },
        settings.adminToken
          ? html`${error ? html`<p class="error" id="login-error">${error}</p>` : ""}<form method="post" action="/admin/login"><input type="hidden" name="_login" value="${nonce}">${fields}<button type="submit" id="admin-sign-in">Sign in</button></form>`
          : html`<p>The admin console is disabled: set <code>ADMIN_TOKEN</code> and restart the server.</p>`,
      ),
      settings.adminToken ? status : 503,
    );
  };
  const LINK_REFUSED = "This sign-in link is invalid, expired or already used; sign in with the admin token.";

  /** Whether the posted fields sign in: the admin token, or a one-time code used for the first time. */
  const accepted = async (fields: Record<string, string>): Promise<"token" | "link" | null> => {
    if (fields.once === undefined) return authorized(`Bearer ${fields.token ?? ""}`) ? "token" : null;
    const now = deps.clock.now();
    const code = checkSignInCode(settings.adminToken, fields.once, now);
    if (!code) return null;
    const fresh = await deps.ctx.store.oauth.nonces.consume({
      nonce: `admin-once:${code.nonce}`,
      expiresAt: code.expiresAt,
      now,
    });
    return fresh ? "link" : null;
  };

  app.get("/admin", (c) => c.redirect("/admin/settings", 303));
  app.get("/admin/login", (c) => {
    const once = c.req.query("once");
    if (once === undefined) return form(c, null);
    // Checked, not consumed: a link preview or prefetch must not burn it.
    return checkSignInCode(settings.adminToken, once, deps.clock.now())
      ? form(c, null, 200, once)
      : form(c, LINK_REFUSED, 400);
  });

  app.post("/admin/login", async (c) => {
    if (!settings.adminToken) return form(c, null, 503);
    const fields = await readForm(c);
    const planted = readCookie(c.req.raw, formCookie);
    if (!planted || fields._login !== planted) {
      return form(c, "The sign-in form expired or came from another page; sign in again.", 403);
    }
    const via = await accepted(fields);
    if (!via) {
      const link = fields.once !== undefined;
      await deps.ctx.store.eventLog.append({
        kind: "admin.sign_in_refused",
        level: "warn",
        message: link
          ? "admin console sign-in refused: a one-time link invalid, expired or used before"
          : "admin console sign-in refused: wrong admin token",
      });
      return form(c, link ? LINK_REFUSED : "That is not the admin token.", 403);
    }
    const { setCookie } = await deps.sessions.start();
    await deps.ctx.store.eventLog.append({
      kind: "admin.signed_in",
      level: "info",
      message: via === "link" ? "admin console sign-in (one-time link)" : "admin console sign-in",
      data: { via },
    });
    c.header("set-cookie", setCookie, { append: true });
    c.header("set-cookie", cookie("", 0), { append: true });
    return c.redirect("/admin/settings", 303);
  });

  app.post("/admin/logout", async (c) => {
    const session = await deps.sessions.read(c.req.raw);
    const fields = await readForm(c);
    if (session && !deps.sessions.checkCsrf(session, fields._csrf)) {
      return c.text("Refused: the CSRF token is wrong.", 403);
    }
    c.header("set-cookie", await deps.sessions.end(c.req.raw));
    return c.redirect("/admin/login", 303);
  });
}
