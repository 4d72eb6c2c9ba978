import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { type ConsoleLogin, postForm, signIn } from "./admin-helpers";
import { createTestContext } from "./helpers";

let ctx: ServerContext;
let teardown: () => Promise<void>;
let app: ReturnType<typeof createServerApp>;
let login: ConsoleLogin;
beforeEach(async () => {
  ({ ctx, teardown } = await createTestContext());
  app = createServerApp(ctx);
  login = await signIn(app);
  await sql`create table orders (id integer primary key autoincrement, item text, qty integer)`.execute(
    ctx.store.kysely,
  );
  await sql`insert into orders (item, qty) values ('apple', 3)`.execute(ctx.store.kysely);
});
afterEach(async () => teardown());

const TOKEN = "console-secret-token_9";
const fields = {
  url: `https://discord.com/api/webhooks/1250000000000000001/${TOKEN}`,
  table: "orders",
  operation: "INSERT",
  template: "{item} x{qty}",
  when: "NEW.qty > 0",
  enabled: "on",
};

describe("admin console webhooks without JavaScript", () => {
  it("the Preview button renders the message against the newest row, or the parser's position and expectation", async () => {
    const ok = await (await postForm(app, login, "/admin/webhooks/preview", fields)).text();
    expect(ok).toContain('<div class="preview" id="preview-message">apple x3</div>');
    const bad = await postForm(app, login, "/admin/webhooks/preview", { ...fields, when: "NEW.qty >" });
    const text = await bad.text();
    expect(text).toMatch(
      /<li data-field="when"><strong>when<\/strong>: WHEN condition: expected [^<]+ at position 9/,
    );
    expect(text).toContain('id="when-marker"');
    // The typed URL is not echoed back into the page.
    expect(text).not.toContain(TOKEN);
  });

  it("creates a webhook, shows the editor without its URL, and refuses a bad one with the issues beside the fields", async () => {
    const created = await postForm(app, login, "/admin/webhooks/new", fields);
    expect(created.status).toBe(303);
    const location = created.headers.get("location") ?? "";
    expect(location).toMatch(/^\/admin\/webhooks\/\d+\?notice=Saved\.$/);
    const editor = await (await app.request(location, { headers: { cookie: login.cookie } })).text();
    expect(editor).toContain('id="notice"');
    expect(editor).not.toContain(TOKEN);
    const list = await (await app.request("/admin/webhooks", { headers: { cookie: login.cookie } })).text();
    expect(list).toContain("/webhooks/1250000000000000001/****");
    expect(list).not.toContain(TOKEN);
    const refused = await postForm(app, login, "/admin/webhooks/new", {
      ...fields,
      table: "nope",
      template: "",
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('id="error-table"');
    expect(page).toContain('id="error-template"');
    expect((await ctx.store.webhooks.list()).length).toBe(1);
  });

  it("the list shows each webhook's delivery: delivered, pending, retrying, dead and the newest error", async () => {
    await postForm(app, login, "/admin/webhooks/new", fields);
    const [hook] = await ctx.store.webhooks.list();
    for (const item of ["pear", "plum"]) {
      await sql`insert into orders (item, qty) values (${item}, 1)`.execute(ctx.store.kysely);
    }
    const list = async () =>
      (await (await app.request("/admin/webhooks", { headers: { cookie: login.cookie } })).text()).match(
        new RegExp(`<td id="webhook-stats-${hook?.id}">(.*?)</td>`),
      )?.[1];
    expect(await list()).toBe("0 delivered · 2 pending · 0 retrying · 0 dead");
    const now = new Date();
    const [event] = await ctx.store.webhooks.claim({
      owner: "t",
      leaseMs: 60_000,
      limit: 1,
      perWebhook: 1,
      now,
    });
    await ctx.store.webhooks.complete(event?.id as string, "t", {
      state: "retry",
      nextAttemptAt: new Date(now.getTime() + 60_000),
      countsAsAttempt: true,
      error: "Discord answered 502",
      possibleDuplicate: false,
    });
    expect(await list()).toBe(
      '0 delivered · 1 pending · 1 retrying · 0 dead<br><span class="muted">last error: Discord answered 502</span>',
    );
  });

  it("the live preview's JSON answer needs the CSRF header, like every form", async () => {
    const headers = {
      cookie: login.cookie,
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
    };
    const body = new URLSearchParams(fields).toString();
    const refused = await app.request("/admin/webhooks/preview", { method: "POST", headers, body });
    expect(refused.status).toBe(403);
    const answered = await app.request("/admin/webhooks/preview", {
      method: "POST",
      headers: { ...headers, "x-csrf-token": login.csrf },
      body,
    });
    expect(await answered.json()).toMatchObject({
      ok: true,
      content: "apple x3",
      whenMatches: true,
      columns: [{ name: "id" }, { name: "item" }, { name: "qty" }],
    });
  });
});
