import { isSameOrigin, type OAuthFlows, type Sessions } from "@guildkit/oauth-state";
import { type Context, Hono } from "hono";
import type { ServerContext } from "../context";
import { homePage, memberPage } from "../oauth/pages";

/**
 * The reference app's account pages over server-side sessions: `GET /` (home, "Login with Discord"
 * only when configured), `GET /me` (the signed-in member, "Link Discord account", "Sign out",
 * "Sign out everywhere"), `POST /logout` (revokes this session) and `POST /logout/everywhere` (revokes
 * every session of the member). Both sign-outs are same-origin only (403 otherwise).
 */
export function accountRoutes(
  ctx: ServerContext,
  options: { sessions: Sessions; flows: OAuthFlows<Response>; origin: string },
) {
  const { sessions, flows, origin } = options;
  const app = new Hono();
  /** CSRF: a sign-out must come from this site's own page. */
  const refuseCrossSite = (c: Context) =>
    isSameOrigin(c.req.raw, origin)
      ? null
      : c.text("Sign out from this site's own page: cross-site requests are refused.", 403);

  app.get("/", async (c) => {
    if ((await sessions.memberIdOf(c.req.raw)) !== null) return c.redirect("/me", 303);
    const loginEnabled = await flows.isEnabled({ signal: c.req.raw.signal });
    return c.html(homePage({ loginEnabled, next: c.req.query("next") ?? "/me" }));
  });
  app.get("/me", async (c) => {
    const memberId = await sessions.memberIdOf(c.req.raw);
    const member = memberId === null ? null : await ctx.store.members.getById(memberId);
    if (member === null) return c.redirect(`/?next=${encodeURIComponent(c.req.path)}`, 303);
    c.header("cache-control", "no-store");
    const url = new URL(c.req.url);
    return c.html(
      memberPage({
        memberId: member.id,
        name: member.name,
        email: member.email,
        discordUserId: member.discordUserId,
        discordUsername: member.discordUsername,
        linkEnabled: await flows.isEnabled(),
        path: url.pathname + url.search,
      }),
    );
  });
  app.post("/logout", async (c) => {
    const refused = refuseCrossSite(c);
    if (refused) return refused;
    c.header("set-cookie", await sessions.end(c.req.raw));
    return c.redirect("/", 303);
  });
  app.post("/logout/everywhere", async (c) => {
    const refused = refuseCrossSite(c);
    if (refused) return refused;
    const { setCookie, revoked } = await sessions.endEverywhere(c.req.raw);
    if (revoked > 0) ctx.logger.info({ revoked }, "signed out everywhere");
    c.header("set-cookie", setCookie);
    return c.redirect("/", 303);
  });
  return app;
}
