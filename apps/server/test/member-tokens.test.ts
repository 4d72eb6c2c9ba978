import { Writable } from "node:stream";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createLogger } from "@guildkit/runtime";
import * as postgres from "@guildkit/store-postgres";
import { checkPostgres, createPostgresTestStore } from "@guildkit/store-testkit";
import { createStoreMemberTokens } from "@guildkit/worker";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { signIn } from "./admin-helpers";
import { type HttpBrowser, servedWorld } from "./oauth-helpers";

type World = Awaited<ReturnType<typeof servedWorld>>;

const pg = await checkPostgres();
const backends = [
  { name: "SQLite", skip: false, open: async () => null },
  {
    name: "Postgres",
    skip: !pg.available,
    open: () => createPostgresTestStore(postgres, { connectionString: pg.url }),
  },
] as const;

const WEEK_MS = 604_800_000;
const EXTRA = ["role_connections.write", "guilds.join"];

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/**
 * The served reference server against discord-sim, OAuth configured with the extra scopes, a guild
 * with a paid role, a Discord user "nelly" and a paying member with her verified email. Logs are kept.
 */
async function tokenWorld(open: (typeof backends)[number]["open"], settings: Record<string, unknown> = {}) {
  const handle = await open();
  const w = await servedWorld({ store: handle?.store });
  cleanup.push(async () => {
    await w.close();
    await handle?.teardown();
  });
  const logs: string[] = [];
  w.ctx.logger = createLogger({
    name: "test",
    level: "debug",
    destination: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  const guild = w.sim.seed.guild({ botUserId: w.application.botUserId, botRolePosition: 10 });
  const role = w.sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
  const user = w.sim.seed.user({ username: "nelly", email: "nelly@example.test", verified: true });
  await createConfigLoader({ store: w.ctx.store.configStore, spec: discordConfigSpec }).save({
    bot_token: w.application.botToken,
    guild_id: guild.id,
    role_ids: [role.id],
    oauth_extra_scopes: EXTRA,
    ...settings,
  });
  const member = await w.ctx.store.members.create({ email: "nelly@example.test", paymentStatus: "active" });
  let offsetMs = 0;
  const tokens = createStoreMemberTokens(w.ctx.store, {
    apiBaseUrl: w.sim.apiBaseUrl,
    clock: { now: () => new Date(Date.now() + offsetMs) },
  });
  return {
    w,
    guild,
    role,
    user,
    member,
    logs,
    tokens,
    advance: (ms: number) => {
      offsetMs += ms;
    },
  };
}

/** Sign in with Discord as `userId` in `browser`; resolves the callback's answer. */
async function loginAs(w: World, browser: HttpBrowser, userId: string): Promise<Response> {
  const start = await browser.get("/login/discord?next=%2Fme");
  expect(start.status).toBe(302);
  const location = start.headers.get("location") ?? "";
  return browser.get(await w.sim.authorize(location, { userId }));
}

/** Every place a token must never appear: the event log, the member's page, the logs, the raw rows. */
async function exposed(t: Awaited<ReturnType<typeof tokenWorld>>, browser: HttpBrowser) {
  const events = await t.w.ctx.store.eventLog.list({});
  const me = await (await browser.get("/me")).text();
  const rows = await sql`select * from member_oauth_tokens`.execute(t.w.ctx.store.kysely);
  return JSON.stringify({ events, me, logs: t.logs, rows: rows.rows });
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`member OAuth tokens, end to end over HTTP (${backend.name})`, () => {
    it("login asks for the extra scopes and keeps the grant sealed; /me shows its scopes, no token anywhere", async () => {
      const t = await tokenWorld(backend.open);
      const browser = t.w.browser();
      const start = await browser.get("/login/discord?next=%2Fme");
      const scope = new URL(start.headers.get("location") ?? "").searchParams.get("scope");
      expect(scope).toBe("identify email role_connections.write guilds.join");
      const signedIn = await browser.get(
        await t.w.sim.authorize(start.headers.get("location") ?? "", { userId: t.user.id }),
      );
      expect(signedIn.status).toBe(303);

      const [granted] = t.w.sim.inspect.oauthGrants({ userId: t.user.id });
      expect(granted).toMatchObject({ state: "active", scopes: ["identify", "email", ...EXTRA] });
      const kept = await t.w.ctx.store.oauth.memberTokens.read({ memberId: t.member.id });
      expect(kept).toMatchObject({
        discordUserId: t.user.id,
        accessToken: granted?.accessToken,
        refreshToken: granted?.refreshToken,
        scopes: ["identify", "email", ...EXTRA],
        consentNeededAt: null,
      });
      expect(Math.abs((kept?.expiresAt.getTime() ?? 0) - (Date.now() + WEEK_MS))).toBeLessThan(60_000);

      const console = createServerApp(t.w.ctx);
      const login = await signIn(console);
      const view = await (
        await console.request(`/admin/role-sync?member=${t.member.id}`, { headers: { cookie: login.cookie } })
      ).text();
      expect(view).toContain(
        'id="member-grant">Discord OAuth grant kept for identify, email, role_connections.write, guilds.join',
      );
      expect(view).not.toContain(granted?.accessToken);
      const me = await (await browser.get("/me")).text();
      expect(me).toMatch(
        /id="discord-grant">Discord access kept for: identify, email, role_connections.write, guilds.join/,
      );
      const everywhere = await exposed(t, browser);
      expect(everywhere).toContain("oauth.token");
      expect(everywhere).not.toContain(granted?.accessToken);
      expect(everywhere).not.toContain(granted?.refreshToken);
    });

    it("a login refused after the exchange (unverified email) keeps nothing and revokes the grant", async () => {
      const t = await tokenWorld(backend.open);
      const stranger = t.w.sim.seed.user({
        username: "stranger",
        email: "who@example.test",
        verified: false,
      });
      expect((await loginAs(t.w, t.w.browser(), stranger.id)).status).toBe(403);
      expect((await sql`select * from member_oauth_tokens`.execute(t.w.ctx.store.kysely)).rows).toEqual([]);
      await expect.poll(() => t.w.sim.inspect.oauthGrants({ userId: stranger.id })[0]?.state).toBe("revoked");
    });

    it("without extra scopes nothing is kept and the exchange's token is revoked at once", async () => {
      const t = await tokenWorld(backend.open, { oauth_extra_scopes: [] });
      const browser = t.w.browser();
      expect((await loginAs(t.w, browser, t.user.id)).status).toBe(303);
      expect(await t.w.ctx.store.oauth.memberTokens.status({ memberId: t.member.id })).toBeNull();
      await expect.poll(() => t.w.sim.inspect.oauthGrants({ userId: t.user.id })[0]?.state).toBe("revoked");
    });

    it("accessToken() refreshes a grant about to expire: Discord rotates the pair, the new one is stored sealed", async () => {
      const t = await tokenWorld(backend.open);
      const browser = t.w.browser();
      await loginAs(t.w, browser, t.user.id);
      const before = await t.tokens.accessToken(t.member.id);
      const [first] = t.w.sim.inspect.oauthGrants({ userId: t.user.id });
      expect(before?.accessToken).toBe(first?.accessToken);

      t.advance(WEEK_MS - 5 * 60_000); // 5 minutes left, inside the 10-minute margin
      const after = await t.tokens.accessToken(t.member.id);
      const grants = t.w.sim.inspect.oauthGrants({ userId: t.user.id });
      expect(grants.map((g) => g.state)).toEqual(["refreshed", "active"]);
      expect(after?.accessToken).toBe(grants[1]?.accessToken);
      expect(after?.scopes).toEqual(["identify", "email", ...EXTRA]);
      expect((await t.w.ctx.store.oauth.memberTokens.read({ memberId: t.member.id }))?.refreshToken).toBe(
        grants[1]?.refreshToken,
      );
      // The worker's pass refreshes ahead of expiry too: within a day of it, every kept grant.
      t.advance(WEEK_MS - 60 * 60_000);
      expect(await t.tokens.refreshExpiring({ limit: 10 })).toEqual({ done: 1, consentNeeded: 0, failed: 0 });
      expect(t.w.sim.inspect.oauthGrants({ userId: t.user.id }).map((g) => g.state)).toEqual([
        "refreshed",
        "refreshed",
        "active",
      ]);
      const everywhere = await exposed(t, browser);
      for (const g of t.w.sim.inspect.oauthGrants({ userId: t.user.id })) {
        expect(everywhere).not.toContain(g.accessToken);
        expect(everywhere).not.toContain(g.refreshToken);
      }
    });

    it("a refresh Discord refuses marks the link for re-consent (on /me, null tokens); linking again restores it", async () => {
      const t = await tokenWorld(backend.open);
      const browser = t.w.browser();
      await loginAs(t.w, browser, t.user.id);
      t.w.sim.seed.revokeAuthorization({ userId: t.user.id }); // removed under Settings → Authorized Apps
      expect(await t.tokens.refresh(t.member.id)).toBeNull();
      expect(
        (await t.w.ctx.store.oauth.memberTokens.status({ memberId: t.member.id }))?.consentNeededAt,
      ).not.toBeNull();
      expect(await t.tokens.accessToken(t.member.id)).toBeNull();
      expect(await t.tokens.refreshExpiring({ limit: 10, aheadMs: 2 * WEEK_MS })).toEqual({
        done: 0,
        consentNeeded: 0,
        failed: 0,
      });
      expect(await (await browser.get("/me")).text()).toContain('id="discord-consent-needed"');
      const console = createServerApp(t.w.ctx);
      const login = await signIn(console);
      const view = await (
        await console.request(`/admin/role-sync?member=${t.member.id}`, { headers: { cookie: login.cookie } })
      ).text();
      expect(view).toMatch(/id="member-grant" class="bad"><strong>Needs re-consent<\/strong>/);
      const events = await t.w.ctx.store.eventLog.list({ kind: "oauth.token" });
      expect(events.find((e) => e.data?.outcome === "consent_needed")).toMatchObject({
        memberId: t.member.id,
        discordUserId: t.user.id,
        level: "warn",
      });

      const start = await browser.get("/discord/login?next=%2Fme");
      expect(
        (
          await browser.get(
            await t.w.sim.authorize(start.headers.get("location") ?? "", { userId: t.user.id }),
          )
        ).status,
      ).toBe(303);
      expect(
        (await t.w.ctx.store.oauth.memberTokens.status({ memberId: t.member.id }))?.consentNeededAt,
      ).toBeNull();
      expect(await t.tokens.accessToken(t.member.id)).not.toBeNull();
      expect(await (await browser.get("/me")).text()).not.toContain("discord-consent-needed");
    });

    it("unlinking revokes the grant at Discord and deletes it; a deleted member's grant is revoked by the worker's sweep", async () => {
      const t = await tokenWorld(backend.open);
      const browser = t.w.browser();
      await loginAs(t.w, browser, t.user.id);
      const unlinked = await browser.post("/discord/unlink");
      expect(unlinked.status).toBe(303);
      expect((await t.w.ctx.store.members.getById(t.member.id))?.discordUserId).toBeNull();
      expect(t.w.sim.inspect.oauthGrants({ userId: t.user.id }).map((g) => g.state)).toEqual(["revoked"]);
      expect(await t.w.ctx.store.oauth.memberTokens.status({ memberId: t.member.id })).toBeNull();
      const cross = await browser.request("/discord/unlink", {
        method: "POST",
        headers: { origin: "https://evil.test" },
      });
      expect(cross.status).toBe(403);

      // Link again, then the host deletes the member: the grant stays until the sweep revokes it.
      await loginAs(t.w, browser, t.user.id);
      expect(t.w.sim.inspect.oauthGrants({ userId: t.user.id }).at(-1)?.state).toBe("active");
      await sql`delete from members where id = ${t.member.id}`.execute(t.w.ctx.store.kysely);
      expect(await t.tokens.sweepOrphans({ limit: 10 })).toEqual({ done: 1, consentNeeded: 0, failed: 0 });
      expect(t.w.sim.inspect.oauthGrants({ userId: t.user.id }).at(-1)?.state).toBe("revoked");
      expect((await sql`select * from member_oauth_tokens`.execute(t.w.ctx.store.kysely)).rows).toEqual([]);
    });
  });

  describe.skipIf(backend.skip)(`joining the guild on link (${backend.name})`, () => {
    it("a paying member who links and is not in the guild is added with their roles in one call", async () => {
      const t = await tokenWorld(backend.open, { join_guild_on_link: true });
      const browser = t.w.browser();
      expect((await loginAs(t.w, browser, t.user.id)).status).toBe(303);
      expect(t.w.sim.inspect.joins(t.guild.id)).toMatchObject([{ userId: t.user.id, roles: [t.role.id] }]);
      expect(t.w.sim.inspect.member(t.guild.id, t.user.id)?.roles).toEqual([t.role.id]);
      expect(t.w.sim.inspect.requests({ route: "add_member" })).toHaveLength(1);
      const events = await t.w.ctx.store.eventLog.list({ kind: "discord.guild_join" });
      expect(events).toMatchObject([
        { level: "info", memberId: t.member.id, data: { outcome: "joined", roleIds: [t.role.id] } },
      ]);
      expect(JSON.stringify(events)).not.toContain(
        t.w.sim.inspect.oauthGrants({ userId: t.user.id })[0]?.accessToken,
      );
    });

    it("a member already in the guild gets 204 and nothing else changes", async () => {
      const t = await tokenWorld(backend.open, { join_guild_on_link: true });
      t.w.sim.seed.member({ guildId: t.guild.id, userId: t.user.id, roles: [] });
      expect((await loginAs(t.w, t.w.browser(), t.user.id)).status).toBe(303);
      expect(t.w.sim.inspect.joins(t.guild.id)).toEqual([]);
      expect(t.w.sim.inspect.member(t.guild.id, t.user.id)?.roles).toEqual([]);
      const events = await t.w.ctx.store.eventLog.list({ kind: "discord.guild_join" });
      expect(events).toMatchObject([{ data: { outcome: "already_member" } }]);
    });

    it("off by default, and never for a member who is not paying", async () => {
      const off = await tokenWorld(backend.open);
      await loginAs(off.w, off.w.browser(), off.user.id);
      expect(off.w.sim.inspect.joins()).toEqual([]);
      const unpaid = await tokenWorld(backend.open, { join_guild_on_link: true });
      await unpaid.w.ctx.store.members.update(unpaid.member.id, { paymentStatus: null });
      await loginAs(unpaid.w, unpaid.w.browser(), unpaid.user.id);
      expect(unpaid.w.sim.inspect.joins()).toEqual([]);
      expect(unpaid.w.sim.inspect.requests({ route: "add_member" })).toEqual([]);
    });

    it("a banned member or one in too many guilds is refused with a typed, logged error; the sign-in still succeeds", async () => {
      const t = await tokenWorld(backend.open, { join_guild_on_link: true });
      t.w.sim.seed.ban({ guildId: t.guild.id, userId: t.user.id });
      expect((await loginAs(t.w, t.w.browser(), t.user.id)).status).toBe(303);
      const crowded = t.w.sim.seed.user({
        username: "busy",
        email: "busy@example.test",
        verified: true,
        maxGuilds: 1,
        otherGuildCount: 1,
      });
      await t.w.ctx.store.members.create({ email: "busy@example.test", paymentStatus: "active" });
      expect((await loginAs(t.w, t.w.browser(), crowded.id)).status).toBe(303);
      const events = await t.w.ctx.store.eventLog.list({ kind: "discord.guild_join" });
      expect(events.map((e) => [e.discordUserId, e.level, e.data?.reason, e.data?.discordCode])).toEqual(
        expect.arrayContaining([
          [t.user.id, "warn", "banned", 40007],
          [crowded.id, "warn", "max_guilds", 30001],
        ]),
      );
      expect(t.w.sim.inspect.joins()).toEqual([]);
    });
  });
}
