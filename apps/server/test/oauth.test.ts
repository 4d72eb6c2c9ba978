import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { oauthRoutes } from "../src/routes/oauth";
import { BASE, configureOAuth, oauthWorld, snapshot, TestBrowser } from "./oauth-helpers";

type World = Awaited<ReturnType<typeof oauthWorld>>;

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function setup(options: { configure?: boolean } = {}) {
  world = await oauthWorld(options);
  return world;
}

function seedUser(
  w: World,
  overrides: { email?: string | null; verified?: boolean; username?: string } = {},
) {
  return w.sim.seed.user({
    username: overrides.username ?? "nelly",
    global_name: "Nelly",
    email: overrides.email === undefined ? "Nelly@Example.test" : overrides.email,
    verified: overrides.verified ?? true,
  });
}

/** Start a login in `browser` and authorize on the simulator as `userId`; resolves the callback URL. */
async function authorizeLogin(w: World, browser: TestBrowser, userId: string, next = "/me?tab=discord") {
  const start = await browser.get(`/login/discord?next=${encodeURIComponent(next)}`);
  expect(start.status).toBe(302);
  return w.sim.authorize(start.headers.get("location") ?? "", { userId });
}

async function errorEntries(w: World) {
  const rows = await w.db
    .selectFrom("event_log")
    .select(["kind", "level", "message", "data"])
    .where("kind", "=", "oauth.error")
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    ...row,
    data: typeof row.data === "string" ? JSON.parse(row.data) : row.data,
  }));
}

describe("login with Discord over HTTP", () => {
  it("signs a new person in (after the signup confirmation) and lands on the requested path", async () => {
    const w = await setup();
    const user = seedUser(w);
    const browser = new TestBrowser(createServerApp(w.ctx));

    const start = await browser.get("/login/discord?next=%2Fme%3Ftab%3Ddiscord");
    const authorizeUrl = new URL(start.headers.get("location") ?? "");
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(w.sim.authorizeUrl);
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeUrl.searchParams.get("scope")).toBe("identify email");
    const binding = start.headers.getSetCookie().find((c) => c.startsWith("gk_oauth_binding="));
    expect(binding).toMatch(/; Max-Age=1800; HttpOnly; SameSite=Lax$/);
    expect(start.headers.get("cache-control")).toBe("no-store");

    const callback = await w.sim.authorize(authorizeUrl.toString(), { userId: user.id });
    const confirm = await browser.get(callback);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain("nelly@example.test");
    const token = /name="signup_token" value="([^"]+)"/.exec(html)?.[1] ?? "";
    expect((await snapshot(w.db)).members).toEqual([]);
    // Still needed by the confirmation.
    expect(browser.cookies.has("gk_oauth_binding")).toBe(true);

    const done = await browser.request("/login/discord/confirm", {
      method: "POST",
      body: new URLSearchParams({ signup_token: token }),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/me?tab=discord");
    expect(browser.cookies.has("gk_oauth_binding")).toBe(false);
    const me = await browser.get("/me?tab=discord");
    expect(me.status).toBe(200);
    expect(await me.text()).toContain(user.id);
    const { members } = await snapshot(w.db);
    expect(members).toMatchObject([
      { email: "nelly@example.test", discord_user_id: user.id, discord_email: "nelly@example.test" },
    ]);
    const callbacks = await w.db
      .selectFrom("event_log")
      .select("data")
      .where("kind", "=", "oauth.callback")
      .execute();
    expect(callbacks).toHaveLength(2);
  });

  it("signs in an existing member found by verified email and links the Discord account", async () => {
    const w = await setup();
    const member = await w.ctx.store.members.create({ email: "nelly@example.test", name: "N" });
    const user = seedUser(w);
    const browser = new TestBrowser(createServerApp(w.ctx));
    const done = await browser.get(await authorizeLogin(w, browser, user.id));
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/me?tab=discord");
    expect(browser.cookies.has("gk_session")).toBe(true);
    expect(browser.cookies.has("gk_oauth_binding")).toBe(false);
    expect((await snapshot(w.db)).members).toMatchObject([
      { id: Number(member.id), discord_user_id: user.id },
    ]);
  });

  it("links a Discord account from a signed-in session", async () => {
    const w = await setup();
    const first = seedUser(w);
    const second = seedUser(w, { username: "second", email: "second@example.test" });
    await w.ctx.store.members.create({ email: "nelly@example.test" });
    const browser = new TestBrowser(createServerApp(w.ctx));
    await browser.get(await authorizeLogin(w, browser, first.id));

    const start = await browser.get("/discord/login?next=%2Fme");
    expect(start.status).toBe(302);
    const callback = await w.sim.authorize(start.headers.get("location") ?? "", { userId: second.id });
    expect(new URL(callback).pathname).toBe("/discord/callback");
    // Already linked to `first`: the server asks before replacing it, and writes nothing meanwhile.
    const confirm = await browser.get(callback);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain(
      `Replace Discord account <strong id="replace-previous">Nelly (${first.id})</strong>`,
    );
    expect((await snapshot(w.db)).members).toMatchObject([{ discord_user_id: first.id }]);
    expect(browser.cookies.has("gk_oauth_binding")).toBe(true);
    const token = /name="replace_token" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const linked = await browser.request("/discord/confirm", {
      method: "POST",
      headers: { origin: BASE },
      body: new URLSearchParams({ replace_token: token }),
    });
    expect(linked.status).toBe(303);
    expect(linked.headers.get("location")).toBe("/me");
    expect(browser.cookies.has("gk_oauth_binding")).toBe(false);
    expect((await snapshot(w.db)).members).toMatchObject([
      { discord_user_id: second.id, discord_email: "second@example.test", discord_last_synced: null },
    ]);
    const due = await w.db.selectFrom("role_sync_state").select(["member_id", "dirty"]).execute();
    expect(due).toHaveLength(1);
    expect(Boolean(due[0]?.dirty)).toBe(true);
  });

  it("refuses to link without a session, and writes the refused callback to the event log", async () => {
    const w = await setup();
    const browser = new TestBrowser(createServerApp(w.ctx));
    const response = await browser.get("/discord/login");
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("Sign in first");
    expect((await browser.get("/discord/callback?code=x&state=y")).status).toBe(401);
    expect(await errorEntries(w)).toMatchObject([
      { level: "warn", data: { flow: "link", code: "session_required", count: 1 } },
    ]);
  });

  it("signs out only on a same-origin POST /logout", async () => {
    const w = await setup();
    await w.ctx.store.members.create({ email: "nelly@example.test" });
    const user = seedUser(w);
    const browser = new TestBrowser(createServerApp(w.ctx));
    await browser.get(await authorizeLogin(w, browser, user.id));
    const refusals: Array<Record<string, string>> = [
      { origin: "https://evil.test" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      {},
    ];
    for (const headers of refusals) {
      const refused = await browser.request("/logout", { method: "POST", headers });
      expect(refused.status).toBe(403);
      expect(browser.cookies.has("gk_session")).toBe(true);
    }
    const byFetchMetadata = await browser.request("/logout", {
      method: "POST",
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(byFetchMetadata.status).toBe(303);
    expect(browser.cookies.has("gk_session")).toBe(false);
    await browser.get(await authorizeLogin(w, browser, user.id));
    const byOrigin = await browser.request("/logout", { method: "POST", headers: { origin: BASE } });
    expect(byOrigin.status).toBe(303);
    expect(browser.cookies.has("gk_session")).toBe(false);
  });

  it("forbids framing every HTML page it renders", async () => {
    const w = await setup();
    const user = seedUser(w);
    const browser = new TestBrowser(createServerApp(w.ctx));
    const expectUnframeable = (page: Response) => {
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("x-frame-options")).toBe("DENY");
      expect(page.headers.get("content-security-policy")).toMatch(/(^|; )frame-ancestors 'none'($|;)/);
    };
    const start = await browser.get("/login/discord");
    expect(start.headers.get("x-frame-options")).toBeNull();
    const signup = await browser.get(
      await w.sim.authorize(start.headers.get("location") ?? "", { userId: user.id }),
    );
    expectUnframeable(signup);
    const token = /name="signup_token" value="([^"]+)"/.exec(await signup.text())?.[1] ?? "";
    await browser.request("/login/discord/confirm", {
      method: "POST",
      body: new URLSearchParams({ signup_token: token }),
    });
    expectUnframeable(await browser.get("/me"));
    expectUnframeable(await browser.get("/login/discord/callback?code=x&state=garbage"));
    expectUnframeable(await new TestBrowser(createServerApp(w.ctx)).get("/"));
  });

  describe("every bad input gets a clear answer and writes nothing", () => {
    async function expectNothingWritten(w: World, before: Awaited<ReturnType<typeof snapshot>>) {
      expect(await snapshot(w.db)).toEqual(before);
    }

    it("a tampered state", async () => {
      const w = await setup();
      const user = seedUser(w);
      const browser = new TestBrowser(createServerApp(w.ctx));
      const callback = new URL(await authorizeLogin(w, browser, user.id));
      const state = callback.searchParams.get("state") ?? "";
      callback.searchParams.set("state", `${state.slice(0, -3)}${state.endsWith("AAA") ? "BBB" : "AAA"}`);
      const before = await snapshot(w.db);
      const response = await browser.get(callback.toString());
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("altered");
      await expectNothingWritten(w, before);
      expect(await errorEntries(w)).toMatchObject([{ level: "warn" }]);
    });

    it("an expired state", async () => {
      const w = await setup();
      const user = seedUser(w);
      let now = Date.now();
      const clock = { now: () => new Date(now) };
      const app = new Hono().route("/", oauthRoutes(w.ctx, { clock }));
      const browser = new TestBrowser(app);
      const callback = await authorizeLogin(w, browser, user.id);
      now += 5 * 60_000;
      const response = await browser.get(callback);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("expired");
      expect((await snapshot(w.db)).members).toEqual([]);
      expect((await snapshot(w.db)).states).toBe(0);
    });

    it("a replayed state", async () => {
      const w = await setup();
      await w.ctx.store.members.create({ email: "nelly@example.test" });
      const user = seedUser(w);
      const browser = new TestBrowser(createServerApp(w.ctx));
      const callback = await authorizeLogin(w, browser, user.id);
      const binding = browser.cookies.get("gk_oauth_binding") ?? "";
      expect((await browser.get(callback)).status).toBe(303);
      const before = await snapshot(w.db);
      // Signing in cleared the binding cookie; a replay that kept it still finds the nonce spent.
      browser.cookies.set("gk_oauth_binding", binding);
      const replay = await browser.get(callback);
      expect(replay.status).toBe(400);
      expect(await replay.text()).toContain("already used");
      await expectNothingWritten(w, before);
    });

    it("a state of the wrong kind (a link state at the login callback)", async () => {
      const w = await setup();
      await w.ctx.store.members.create({ email: "nelly@example.test" });
      const user = seedUser(w);
      const browser = new TestBrowser(createServerApp(w.ctx));
      await browser.get(await authorizeLogin(w, browser, user.id));
      const start = await browser.get("/discord/login");
      const linkCallback = new URL(
        await w.sim.authorize(start.headers.get("location") ?? "", { userId: user.id }),
      );
      const before = await snapshot(w.db);
      const response = await browser.get(`/login/discord/callback${linkCallback.search}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("different step");
      await expectNothingWritten(w, before);
    });

    it("a state started in another browser", async () => {
      const w = await setup();
      const user = seedUser(w);
      const app = createServerApp(w.ctx);
      const attacker = new TestBrowser(app);
      const callback = await authorizeLogin(w, attacker, user.id);
      const victim = new TestBrowser(app);
      const before = await snapshot(w.db);
      const response = await victim.get(callback);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("another browser");
      expect(victim.cookies.has("gk_session")).toBe(false);
      await expectNothingWritten(w, before);
    });

    it("error=access_denied", async () => {
      const w = await setup();
      seedUser(w);
      const browser = new TestBrowser(createServerApp(w.ctx));
      const start = await browser.get("/login/discord");
      const callback = await w.sim.authorize(start.headers.get("location") ?? "", { deny: true });
      expect(new URL(callback).searchParams.get("error")).toBe("access_denied");
      const response = await browser.get(callback);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("cancelled");
      expect(await snapshot(w.db)).toEqual({ members: [], states: 0 });
      expect(await errorEntries(w)).toMatchObject([{ level: "info" }]);
    });

    it("an unverified email", async () => {
      const w = await setup();
      await w.ctx.store.members.create({ email: "nelly@example.test" });
      const user = seedUser(w, { verified: false });
      const browser = new TestBrowser(createServerApp(w.ctx));
      const callback = await authorizeLogin(w, browser, user.id);
      const before = await snapshot(w.db);
      const response = await browser.get(callback);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("not verified");
      expect((await snapshot(w.db)).members).toEqual(before.members);
      expect(browser.cookies.has("gk_session")).toBe(false);
    });

    it("an account linked to someone else", async () => {
      const w = await setup();
      const user = seedUser(w);
      await w.ctx.store.members.create({ email: "holder@example.test", discordUserId: user.id });
      const other = seedUser(w, { username: "other", email: "other@example.test" });
      await w.ctx.store.members.create({ email: "other@example.test" });
      const browser = new TestBrowser(createServerApp(w.ctx));
      await browser.get(await authorizeLogin(w, browser, other.id));
      const start = await browser.get("/discord/login");
      const callback = await w.sim.authorize(start.headers.get("location") ?? "", { userId: user.id });
      const before = await snapshot(w.db);
      const response = await browser.get(callback);
      expect(response.status).toBe(409);
      expect(await response.text()).toContain("already linked to another member");
      expect((await snapshot(w.db)).members).toEqual(before.members);
    });

    it.each([
      "//evil.test",
      "https://evil.test/x",
      "/\\evil.test",
      "javascript:alert(1)",
      "/%2F%2Fevil.test",
    ])("the open-redirect attempt %j lands on /", async (next) => {
      const w = await setup();
      await w.ctx.store.members.create({ email: "nelly@example.test" });
      const user = seedUser(w);
      const browser = new TestBrowser(createServerApp(w.ctx));
      const done = await browser.get(await authorizeLogin(w, browser, user.id, next));
      expect(done.status).toBe(303);
      expect(done.headers.get("location")).toBe("/");
    });

    it("Discord answering 5xx at the token exchange", async () => {
      const w = await setup();
      await w.ctx.store.members.create({ email: "nelly@example.test" });
      const user = seedUser(w);
      const browser = new TestBrowser(createServerApp(w.ctx));
      const callback = await authorizeLogin(w, browser, user.id);
      w.sim.faults.set({ route: "oauth_token", errorRate: 1 });
      const before = await snapshot(w.db);
      const response = await browser.get(callback);
      expect(response.status).toBe(502);
      expect(await response.text()).toContain("Discord is unavailable");
      expect((await snapshot(w.db)).members).toEqual(before.members);
      expect(await errorEntries(w)).toMatchObject([{ level: "error", data: expect.anything() }]);
    });

    it("Discord timing out at the token exchange", async () => {
      const w = await setup();
      await w.ctx.store.members.create({ email: "nelly@example.test" });
      const user = seedUser(w);
      const app = new Hono().route("/", oauthRoutes(w.ctx, { discordTimeoutMs: 150 }));
      const browser = new TestBrowser(app);
      const callback = await authorizeLogin(w, browser, user.id);
      w.sim.faults.set({ route: "oauth_token", latencyMs: 1_000 });
      const before = await snapshot(w.db);
      const response = await browser.get(callback);
      expect(response.status).toBe(504);
      expect(await response.text()).toContain("did not answer in time");
      expect((await snapshot(w.db)).members).toEqual(before.members);
    });
  });

  it("answers 503 when OAuth is unconfigured after the start, leaving the state usable once configured again", async () => {
    const w = await setup();
    await w.ctx.store.members.create({ email: "nelly@example.test" });
    const user = seedUser(w);
    const browser = new TestBrowser(createServerApp(w.ctx));
    const callback = await authorizeLogin(w, browser, user.id);
    const config = createConfigLoader({ store: w.ctx.store.configStore, spec: discordConfigSpec });
    await config.save({ client_secret: null });
    /** The same browser on a fresh app (each app caches the client settings for a second). */
    const sameBrowser = () => {
      const next = new TestBrowser(createServerApp(w.ctx));
      for (const [name, value] of browser.cookies) next.cookies.set(name, value);
      return next;
    };
    const response = await sameBrowser().get(callback);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("not configured");
    expect(await snapshot(w.db)).toMatchObject({ states: 0, members: [{ discord_user_id: null }] });
    await configureOAuth(w.ctx, w.application);
    expect((await sameBrowser().get(callback)).status).toBe(303);
  });

  it("answers 503, not 502, when the removed settings are noticed only at the token exchange", async () => {
    const w = await setup();
    const user = seedUser(w);
    const browser = new TestBrowser(createServerApp(w.ctx));
    const callback = await authorizeLogin(w, browser, user.id);
    // Within the app's one-second cache the flows still see a client; the identity provider does not.
    await createConfigLoader({ store: w.ctx.store.configStore, spec: discordConfigSpec }).save({
      client_secret: null,
    });
    const response = await browser.get(callback);
    expect(response.status).toBe(503);
    expect(await errorEntries(w)).toMatchObject([{ data: { code: "oauth_not_configured" } }]);
  });

  it("hides the login button and answers clearly when OAuth is not configured", async () => {
    const w = await setup({ configure: false });
    const browser = new TestBrowser(createServerApp(w.ctx));
    const home = await browser.get("/");
    const html = await home.text();
    expect(html).not.toContain("Login with Discord</a>");
    expect(html).toContain("not configured");
    const start = await browser.get("/login/discord");
    expect(start.status).toBe(503);
    expect(await start.text()).toContain("not configured");
    const callback = await browser.get("/login/discord/callback?code=x&state=y");
    expect(callback.status).toBe(400);
  });

  it("never writes a code, a state or a token to the event log", async () => {
    const w = await setup();
    const user = seedUser(w);
    const browser = new TestBrowser(createServerApp(w.ctx));
    const callback = new URL(await authorizeLogin(w, browser, user.id));
    await browser.get(callback.toString());
    await browser.get(callback.toString());
    const rows = await w.db.selectFrom("event_log").select(["message", "data"]).execute();
    const logged = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const secret of [callback.searchParams.get("code"), callback.searchParams.get("state")]) {
      expect(logged).not.toContain(secret);
    }
    expect(BASE).toBe("http://127.0.0.1:3000");
  });
});
