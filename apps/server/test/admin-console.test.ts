import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createFakeTime } from "@guildkit/core/testing";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adminConsoleRoutes } from "../src/admin";
import { mintSignInCode } from "../src/admin/sign-in-link";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { postForm, signIn } from "./admin-helpers";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";

let ctx: ServerContext;
let teardown: () => Promise<void>;
beforeEach(async () => {
  ({ ctx, teardown } = await createTestContext());
});
afterEach(async () => teardown());

const GUILD = "1100000000000000001";
const latest = () => ctx.store.configStore.latest({ module: "discord" });

describe("admin console sign-in and CSRF", () => {
  it("refuses a settings form without the session's CSRF token, with a wrong one, or without a session: 403, nothing saved", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const other = await signIn(app);
    expect(other.csrf).not.toBe(login.csrf);
    const fields = { expectedVersion: "0", "f.guild_id": GUILD };
    for (const csrf of [null, "", "x".repeat(43), other.csrf]) {
      const res = await postForm(app, login, "/admin/settings/discord", fields, csrf);
      expect(res.status, String(csrf)).toBe(403);
      expect(await res.text()).toContain("This form was refused");
    }
    const anonymous = await postForm(
      app,
      { cookie: "", csrf: login.csrf },
      "/admin/settings/discord",
      fields,
    );
    expect(anonymous.status).toBe(403);
    expect(await latest()).toBeNull();
    const saved = await postForm(app, login, "/admin/settings/discord", fields);
    expect(saved.status).toBe(303);
    expect((await latest())?.values).toMatchObject({ guild_id: GUILD });
  });

  it("refuses a sign-in without the form's double-submit cookie, and a wrong token, opening no session", async () => {
    const app = createServerApp(ctx);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const planted = await app.request("/admin/login", {
      method: "POST",
      headers: form,
      body: new URLSearchParams({ _login: "abc", token: TEST_ADMIN_TOKEN }),
    });
    expect(planted.status).toBe(403);
    expect(planted.headers.getSetCookie().join()).not.toContain("gk_admin=");
    await expect(signIn(app, "not-the-token-0123456789")).rejects.toThrow("sign-in answered 403");
    expect((await app.request("/admin/settings")).headers.get("location")).toBe("/admin/login");
  });

  it("sign-out revokes the session on the server: the old cookie opens nothing and its CSRF token posts nothing", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    expect((await app.request("/admin/settings", { headers: { cookie: login.cookie } })).status).toBe(200);
    const out = await postForm(app, login, "/admin/logout", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(
      /^gk_admin=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/,
    );
    const again = await app.request("/admin/settings", { headers: { cookie: login.cookie } });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/admin/login");
    const post = await postForm(app, login, "/admin/settings/discord", {
      expectedVersion: "0",
      "f.guild_id": GUILD,
    });
    expect(post.status).toBe(403);
    expect(await latest()).toBeNull();
  });

  it("a session lives in the store: another server (or this one restarted) knows it and its CSRF token; sign-out on one ends it on both", async () => {
    const one = createServerApp(ctx);
    const two = createServerApp(ctx); // its own console, sessions and CSRF key: only the store is shared
    const login = await signIn(one);
    expect(await ctx.store.adminSessions.purgeExpired({ now: new Date(0) })).toBe(0);
    const page = await two.request("/admin/settings", { headers: { cookie: login.cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`name="csrf-token" content="${login.csrf}"`);
    const saved = await postForm(two, login, "/admin/settings/discord", {
      expectedVersion: "0",
      "f.guild_id": GUILD,
    });
    expect(saved.status).toBe(303);
    expect((await latest())?.values).toMatchObject({ guild_id: GUILD });
    expect((await postForm(two, login, "/admin/logout", {})).status).toBe(303);
    const after = await one.request("/admin/settings", { headers: { cookie: login.cookie } });
    expect(after.headers.get("location")).toBe("/admin/login");
  });

  it("a one-time sign-in link (pnpm start prints it) signs in once, on any server; a second use, a forged or expired code is refused", async () => {
    const one = createServerApp(ctx);
    const two = createServerApp(ctx);
    const code = mintSignInCode(TEST_ADMIN_TOKEN, new Date());
    const open = async (app: typeof one, once: string) => {
      const page = await app.request(`/admin/login?once=${encodeURIComponent(once)}`);
      const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const body = await page.text();
      const nonce = /name="_login" value="([^"]+)"/.exec(body)?.[1] ?? "";
      return { page, body, cookie, nonce };
    };
    const post = (app: typeof one, form: { cookie: string; nonce: string }, once: string) =>
      app.request("/admin/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: form.cookie },
        body: new URLSearchParams({ _login: form.nonce, once }),
      });
    const shown = await open(one, code);
    expect(shown.page.status).toBe(200);
    expect(shown.page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(shown.body).not.toContain('id="admin-token"');
    // Opening the link twice (a preview, a reload) consumes nothing.
    const again = await open(one, code);
    const signedIn = await post(one, again, code);
    expect(signedIn.status).toBe(303);
    const cookie = (signedIn.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    expect((await one.request("/admin/settings", { headers: { cookie } })).status).toBe(200);

    const reused = await post(two, await open(two, code), code);
    expect(reused.status).toBe(403);
    expect(await reused.text()).toContain("already used");
    for (const bad of [
      mintSignInCode("another-admin-token-0123456789", new Date()),
      mintSignInCode(TEST_ADMIN_TOKEN, new Date("2020-01-01T00:00:00Z")),
      `${code.slice(0, -1)}${code.endsWith("A") ? "B" : "A"}`,
      "x",
    ]) {
      expect((await one.request(`/admin/login?once=${encodeURIComponent(bad)}`)).status, bad).toBe(400);
      const refused = await post(one, await open(one, "x"), bad);
      expect(refused.status, bad).toBe(403);
      expect(refused.headers.getSetCookie().some((c) => c.startsWith("gk_admin="))).toBe(false);
    }
    const events = await ctx.store.eventLog.list({ kindPrefix: "admin." });
    expect(events.filter((e) => e.kind === "admin.signed_in").map((e) => e.data)).toEqual([{ via: "link" }]);
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it("a session expires after its idle timeout and at its absolute lifetime, whatever its use", async () => {
    const time = createFakeTime();
    const app = new Hono();
    app.route(
      "/",
      adminConsoleRoutes(ctx, { clock: time.clock, idleTimeoutSeconds: 60, maxLifetimeSeconds: 150 }),
    );
    const idle = await signIn(app);
    await time.advance(59_000);
    expect((await app.request("/admin/settings", { headers: { cookie: idle.cookie } })).status).toBe(200);
    await time.advance(61_000);
    expect((await app.request("/admin/settings", { headers: { cookie: idle.cookie } })).status).toBe(303);

    const busy = await signIn(app);
    for (let i = 0; i < 3; i++) {
      await time.advance(45_000);
      expect((await app.request("/admin/settings", { headers: { cookie: busy.cookie } })).status).toBe(200);
    }
    await time.advance(20_000);
    expect((await app.request("/admin/settings", { headers: { cookie: busy.cookie } })).status).toBe(303);
  });

  it("uses Secure __Host- cookies when the public URL is https", async () => {
    const app = createServerApp({
      ...ctx,
      settings: { ...ctx.settings, publicBaseUrl: "https://guild.example" },
    });
    const form = await app.request("/admin/login");
    expect(form.headers.get("set-cookie")).toMatch(/^__Host-gk_admin_login=.*; SameSite=Strict; Secure$/);
  });

  it("is disabled, saying so, without an admin token", async () => {
    const app = createServerApp({ ...ctx, settings: { ...ctx.settings, adminToken: "" } });
    const res = await app.request("/admin/login");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("set <code>ADMIN_TOKEN</code>");
    expect((await app.request("/admin/settings")).status).toBe(503);
  });
});

describe("admin console settings", () => {
  it("a stale form gets a conflict message and overwrites nothing", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const loader = createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec });
    await loader.save({ guild_id: GUILD, sync_interval_hours: 6 }, { createdBy: "someone-else" });
    const res = await postForm(app, login, "/admin/settings/discord", {
      expectedVersion: "0",
      "f.guild_id": "1100000000000000002",
      "f.sync_interval_hours": "48",
    });
    expect(res.status).toBe(409);
    const text = await res.text();
    expect(text).toContain('id="conflict-discord"');
    expect(text).toContain("Nothing was saved");
    expect((await latest())?.values).toMatchObject({ guild_id: GUILD, sync_interval_hours: 6 });
    expect((await latest())?.version).toBe(1);
  });

  it("keeps a secret unless it is retyped, and never renders it", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const token = "bot-token-abcdefghijklmnopqrstuvwxyz";
    expect(
      (await postForm(app, login, "/admin/settings/discord", { expectedVersion: "0", "f.bot_token": token }))
        .status,
    ).toBe(303);
    expect(
      (
        await postForm(app, login, "/admin/settings/discord", {
          expectedVersion: "1",
          "f.bot_token": "",
          "f.guild_id": GUILD,
        })
      ).status,
    ).toBe(303);
    const loaded = await createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec }).load();
    expect(loaded).toMatchObject({ bot_token: token, guild_id: GUILD });
    const page = await (await app.request("/admin/settings", { headers: { cookie: login.cookie } })).text();
    expect(page).not.toContain(token);
    expect(page).toContain("••••wxyz");
  });
});

describe("admin console escaping", () => {
  it("renders row data inert: a script in a webhook's username and template, and in an event entry, is escaped text", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    await ctx.store.kysely.schema
      .createTable("orders")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("item", "text")
      .execute();
    const attack = `<script>document.title='pwned'</script><img src=x onerror=alert(1)>"'`;
    const created = await app.request("/admin/api/webhooks", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        url: "https://discord.com/api/webhooks/1250000000000000001/tok",
        username: attack.slice(0, 60),
        template: `${attack} {item}`,
        table: "orders",
        operation: "INSERT",
      }),
    });
    expect(created.status).toBe(201);
    await ctx.store.eventLog.append({
      kind: `x.${attack}`,
      level: "warn",
      message: attack,
      data: { note: attack },
    });
    for (const path of [
      "/admin/webhooks",
      "/admin/events",
      `/admin/webhooks/${((await created.json()) as { id: string }).id}`,
    ]) {
      const res = await app.request(path, { headers: { cookie: login.cookie } });
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body, path).not.toContain("<script>document");
      expect(body, path).not.toContain("<img src=x");
      expect(body, path).toContain("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;");
      expect(res.headers.get("content-security-policy"), path).toContain("script-src 'self'");
    }
  });
});
