import {
  type Clock,
  isSameOrigin,
  type MemberTokens,
  type OAuthFlows,
  type Sessions,
} from "@guildkit/oauth-state";
import { type Context, Hono } from "hono";
import type { ServerContext } from "../context";
import { homePage, memberPage } from "../oauth/pages";

/**
 * The reference app's account pages over server-side sessions: `GET /` (home, "Login with Discord"
 * only when configured), `GET /me` (the signed-in member, the kept Discord grant's scopes or "needs
 * your consent again", "Link Discord account", "Unlink", "Sign out", "Sign out everywhere"),
 * `POST /discord/unlink` (clears the link, role sync due, the kept grant revoked at Discord and deleted), `POST /logout` (revokes this session) and `POST /logout/everywhere` (revokes
 * every session of the member). Both sign-outs are same-origin only (403 otherwise).
 */
export function accountRoutes(
  ctx: ServerContext,
  options: {
    sessions: Sessions;
    flows: OAuthFlows<Response>;
    tokens: Pick<MemberTokens, "revoke">;
    clock: Clock;
    origin: string;
  },
) {
  const { sessions, flows, tokens, clock, origin } = options;
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
    const grant = await ctx.store.oauth.memberTokens.status({ memberId: member.id });
    return c.html(
      memberPage({
        memberId: member.id,
        name: member.name,
        email: member.email,
        discordUserId: member.discordUserId,
        discordUsername: member.discordUsername,
        linkEnabled: await flows.isEnabled(),
        path: url.pathname + url.search,
        grant:
          grant === null
            ? null
            : {
                scopes: grant.scopes,
                expiresAt: grant.expiresAt,
                consentNeeded: grant.consentNeededAt !== null,
              },
      }),
    );
  });
  app.post("/discord/unlink", async (c) => {
    const refused = refuseCrossSite(c);
    if (refused) return refused;
    const memberId = await sessions.memberIdOf(c.req.raw);
    if (memberId === null) return c.redirect("/", 303);
    // The link goes and role sync is due (it revokes the granted roles), in one transaction.
    const unlinked = await ctx.store.transaction(async (tx) => {
      const member = await tx.members.update(memberId, {
        discordUserId: null,
        discordEmail: null,
        discordUsername: null,
      });
      if (member !== null) await tx.roleSync.queue.markDue({ memberIds: [memberId], now: clock.now() });
      return member !== null;
    });
    if (unlinked) {
      // Revoke at Discord and delete; when Discord is away the worker's sweep revokes it later.
      await tokens
        .revoke(memberId)
        .catch((error: unknown) =>
          ctx.logger.warn(
            { err: error, memberId },
            "revoking the unlinked member's Discord grant failed; the worker retries",
          ),
        );
    }
    return c.redirect("/me", 303);
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
