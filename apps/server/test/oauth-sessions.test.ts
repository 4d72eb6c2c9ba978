import { createHash } from "node:crypto";
import * as postgres from "@guildkit/store-postgres";
import { checkPostgres, createPostgresTestStore } from "@guildkit/store-testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { type HttpBrowser, oauthWorld, servedWorld, TestBrowser } from "./oauth-helpers";

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

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** Sign `browser` in as the simulator's `userId` (a member with the user's verified email exists). */
async function signIn(w: World, browser: HttpBrowser, userId: string): Promise<string> {
  const start = await browser.get("/login/discord?next=%2Fme");
  expect(start.status).toBe(302);
  const done = await browser.get(await w.sim.authorize(start.headers.get("location") ?? "", { userId }));
  expect(done.status).toBe(303);
  const cookie = browser.cookies.get("gk_session");
  expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return cookie as string;
}

/** A browser holding only `cookie` as its session (the old copy an attacker or a shared machine kept). */
function holding(w: World, cookie: string): HttpBrowser {
  const browser = w.browser();
  browser.cookies.set("gk_session", cookie);
  return browser;
}

const opensMe = async (browser: HttpBrowser) => (await browser.get("/me")).status === 200;

const sessionRows = (w: World) =>
  w.db.selectFrom("sessions").select(["id_hash", "member_id"]).orderBy("id_hash").execute();

for (const backend of backends) {
  describe.skipIf(backend.skip)(`server-side sessions over HTTP (${backend.name})`, () => {
    async function world() {
      const handle = await backend.open();
      const w = await servedWorld({ store: handle?.store });
      cleanup.push(async () => {
        await w.close();
        await handle?.teardown();
      });
      const member = await w.ctx.store.members.create({ email: "nelly@example.test", name: "Nelly" });
      const user = w.sim.seed.user({ username: "nelly", email: "nelly@example.test", verified: true });
      return { w, member, user };
    }

    it("signing out revokes the session on the server: the old cookie no longer opens /me", async () => {
      const { w, user } = await world();
      const browser = w.browser();
      const cookie = await signIn(w, browser, user.id);
      expect(await opensMe(holding(w, cookie))).toBe(true);
      const out = await browser.post("/logout");
      expect(out.status).toBe(303);
      expect(browser.cookies.has("gk_session")).toBe(false);
      const replayed = await holding(w, cookie).get("/me");
      expect(replayed.status).toBe(303);
      expect(replayed.headers.get("location")).toBe("/?next=%2Fme");
      expect(await sessionRows(w)).toEqual([]);
    });

    it("stores only the SHA-256 of the session id, in an HttpOnly SameSite=Lax cookie", async () => {
      const { w, member, user } = await world();
      const browser = w.browser();
      const start = await browser.get("/login/discord");
      const done = await browser.get(
        await w.sim.authorize(start.headers.get("location") ?? "", { userId: user.id }),
      );
      const line = done.headers.getSetCookie().find((c) => c.startsWith("gk_session="));
      expect(line).toMatch(/^gk_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/);
      const cookie = browser.cookies.get("gk_session") ?? "";
      const rows = await sessionRows(w);
      expect(rows).toEqual([{ id_hash: sha256(cookie), member_id: expect.anything() }]);
      expect(String(rows[0]?.member_id)).toBe(member.id);
      const everything = JSON.stringify(await w.db.selectFrom("sessions").selectAll().execute());
      expect(everything).not.toContain(cookie);
    });

    it("'Sign out everywhere' on /me revokes the member's other sessions too, and no one else's", async () => {
      const { w, user } = await world();
      const other = w.sim.seed.user({ username: "other", email: "other@example.test", verified: true });
      await w.ctx.store.members.create({ email: "other@example.test" });
      const laptop = w.browser();
      const phone = w.browser();
      const stranger = w.browser();
      await signIn(w, laptop, user.id);
      const phoneCookie = await signIn(w, phone, user.id);
      await signIn(w, stranger, other.id);
      const me = await (await laptop.get("/me")).text();
      expect(me).toContain('<form method="post" action="/logout/everywhere">');
      expect((await laptop.request("/logout/everywhere", { method: "POST" })).status).toBe(403);
      expect(await opensMe(phone)).toBe(true);
      const out = await laptop.post("/logout/everywhere");
      expect(out.status).toBe(303);
      expect(await opensMe(laptop)).toBe(false);
      expect(await opensMe(holding(w, phoneCookie))).toBe(false);
      expect(await opensMe(stranger)).toBe(true);
      expect(await sessionRows(w)).toHaveLength(1);
    });

    it("deleting a member revokes its sessions (on delete cascade)", async () => {
      const { w, member, user } = await world();
      const browser = w.browser();
      await signIn(w, browser, user.id);
      expect(await sessionRows(w)).toHaveLength(1);
      await w.db.deleteFrom("members").where("id", "=", member.id).execute();
      expect(await sessionRows(w)).toEqual([]);
      expect(await opensMe(browser)).toBe(false);
    });

    it("replacing the linked Discord account asks first, then revokes the member's other sessions", async () => {
      const { w, user } = await world();
      const second = w.sim.seed.user({
        username: "second",
        global_name: "Second",
        email: "second@example.test",
        verified: true,
      });
      const browser = w.browser();
      const elsewhere = w.browser();
      await signIn(w, browser, user.id);
      await signIn(w, elsewhere, user.id);
      const start = await browser.get("/discord/login?next=%2Fme");
      const confirm = await browser.get(
        await w.sim.authorize(start.headers.get("location") ?? "", { userId: second.id }),
      );
      expect(confirm.status).toBe(200);
      const html = await confirm.text();
      expect(html).toContain(
        `Replace Discord account <strong id="replace-previous">nelly (${user.id})</strong>`,
      );
      expect(html).toContain(`with <strong id="replace-next">Second (${second.id})</strong>?`);
      const before = await w.db.selectFrom("members").select("discord_user_id").execute();
      expect(before).toEqual([{ discord_user_id: user.id }]);
      const token = /name="replace_token" value="([^"]+)"/.exec(html)?.[1] ?? "";
      const done = await browser.post("/discord/confirm", { replace_token: token });
      expect(done.status).toBe(303);
      expect(done.headers.get("location")).toBe("/me");
      expect(await w.db.selectFrom("members").select("discord_user_id").execute()).toEqual([
        { discord_user_id: second.id },
      ]);
      expect(await opensMe(browser)).toBe(true);
      expect(await opensMe(elsewhere)).toBe(false);
      const logged = await w.db
        .selectFrom("event_log")
        .select(["discord_user_id", "data"])
        .where("kind", "=", "oauth.callback")
        .orderBy("id", "desc")
        .executeTakeFirst();
      const data = typeof logged?.data === "string" ? JSON.parse(logged.data) : logged?.data;
      expect(logged?.discord_user_id).toBe(second.id);
      expect(data).toMatchObject({ flow: "replace", outcome: "replaced", previousDiscordUserId: user.id });
      expect(JSON.stringify(await w.db.selectFrom("event_log").selectAll().execute())).not.toContain(token);
    });
  });
}

describe("the session cookie on https", () => {
  it("is named __Host-gk_session and marked Secure when PUBLIC_BASE_URL is https", async () => {
    const base = "https://guild.example";
    const w = await oauthWorld({ base });
    cleanup.push(() => w.close());
    await w.ctx.store.members.create({ email: "nelly@example.test" });
    const user = w.sim.seed.user({ username: "nelly", email: "nelly@example.test", verified: true });
    // In process: https://guild.example is not listening anywhere.
    const browser = new TestBrowser(createServerApp(w.ctx), base);
    const start = await browser.get("/login/discord");
    const done = await browser.get(
      await w.sim.authorize(start.headers.get("location") ?? "", { userId: user.id }),
    );
    const line = done.headers.getSetCookie().find((c) => c.startsWith("__Host-gk_session="));
    expect(line).toMatch(
      /^__Host-gk_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect((await browser.get("/me")).status).toBe(200);
    const out = await browser.request("/logout", { method: "POST", headers: { origin: base } });
    expect(out.headers.getSetCookie()).toContain(
      "__Host-gk_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    );
    expect((await browser.get("/me")).status).toBe(303);
  });
});
