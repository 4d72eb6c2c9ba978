import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import * as postgres from "@guildkit/store-postgres";
import { checkPostgres, createPostgresTestStore } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";

const HOOK = "1250000000000000001";
const TOKEN = "secret-token_1";
const URL = `https://discord.com/api/webhooks/${HOOK}/${TOKEN}`;
const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" };

let sim: DiscordSim;
let ctx: ServerContext;
let teardown: () => Promise<void>;
let app: ReturnType<typeof createServerApp>;

beforeAll(async () => {
  sim = await startDiscordSim();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  sim.reset();
  sim.seed.application({});
  sim.seed.guild({ id: "1100000000000000000" });
  sim.seed.channel({ guildId: "1100000000000000000", id: "1200000000000000001" });
  sim.seed.webhook({ channelId: "1200000000000000001", id: HOOK, token: TOKEN });
  ({ ctx, teardown } = await createTestContext({ settings: { discordApiBaseUrl: sim.apiBaseUrl } }));
  app = createServerApp(ctx);
  await sql`create table orders (id integer primary key autoincrement, item text, qty integer)`.execute(
    ctx.store.kysely,
  );
});
afterEach(async () => teardown());

const call = (method: string, path: string, body?: unknown) =>
  app.request(`/admin/api/webhooks${path}`, {
    method,
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const definition = {
  url: URL,
  template: "{item} x{qty}",
  table: "orders",
  operation: "INSERT",
  when: "NEW.qty > 0",
};

describe("admin webhooks API", () => {
  it("refuses requests without the admin token", async () => {
    const res = await app.request("/admin/api/webhooks");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("is disabled, saying so, when no admin token is configured", async () => {
    const off = createServerApp({ ...ctx, settings: { ...ctx.settings, adminToken: "" } });
    const res = await off.request("/admin/api/webhooks", { headers: auth });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: "admin_disabled" });
  });

  it("creates, reads, changes and deletes definitions, never showing the token", async () => {
    const created = await call("POST", "", definition);
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; url: string };
    expect(body.url).toBe(`https://discord.com/api/webhooks/${HOOK}/****`);
    const list = await (await call("GET", "")).text();
    expect(list).not.toContain(TOKEN);
    const patched = await call("PATCH", `/${body.id}`, { when: "NEW.qty > 5", username: "Shop" });
    expect(await patched.json()).toMatchObject({ when: "NEW.qty > 5", username: "Shop", enabled: true });
    expect((await call("DELETE", `/${body.id}`)).status).toBe(204);
    expect((await call("GET", `/${body.id}`)).status).toBe(404);
  });

  it("answers 400 naming every problem of an invalid definition", async () => {
    const res = await call("POST", "", {
      ...definition,
      template: "{nope}",
      when: "NEW.qty > 0; DROP TABLE orders",
      username: "discord",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string[]; code: string }[] };
    expect(body.error).toBe("invalid_definition");
    expect(body.issues.map((i) => i.path[0]).sort()).toEqual(["template", "username", "when"]);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
  });

  it("previews against a sample row or the newest row, with the WHEN verdict", async () => {
    const sample = await call("POST", "/preview", { definition, sample: { item: "tea", qty: 0 } });
    expect(await sample.json()).toMatchObject({
      message: { content: "tea x0", allowed_mentions: { parse: [] } },
      whenMatches: false,
    });
    await sql`insert into orders (item, qty) values ('cake', 2)`.execute(ctx.store.kysely);
    const newest = await call("POST", "/preview", { definition });
    expect(await newest.json()).toMatchObject({ message: { content: "cake x2" }, whenMatches: true });
  });

  it("test-sends a stored webhook", async () => {
    const { id } = (await (await call("POST", "", definition)).json()) as { id: string };
    const res = await call("POST", `/${id}/test`, { sample: { item: "probe", qty: 1 } });
    expect(await res.json()).toMatchObject({ sent: true, content: "probe x1" });
    expect(sim.inspect.messages(HOOK).map((m) => m.content)).toEqual(["probe x1"]);
  });

  /** A webhook on `orders` with two dead events (`reason`); its id. */
  const twoDeadEvents = async (reason: string) => {
    const { id } = (await (await call("POST", "", definition)).json()) as { id: string };
    await sql`insert into orders (item, qty) values ('a', 1), ('b', 2)`.execute(ctx.store.kysely);
    const events = await ctx.store.webhooks.claim({
      owner: "t",
      leaseMs: 1000,
      limit: 10,
      perWebhook: 10,
      now: new Date(),
    });
    for (const e of events)
      await ctx.store.webhooks.complete(e.id, "t", {
        state: "dead",
        reason,
        at: new Date(),
        possibleDuplicate: false,
      });
    return id;
  };

  it("lists dead events with their reasons and redelivers one or all", async () => {
    const id = await twoDeadEvents("Discord refused it");
    const dead = (await (await call("GET", `/dead?webhookId=${id}`)).json()) as {
      events: { id: string; reason: string }[];
    };
    expect(dead.events.map((e) => e.reason)).toEqual(["Discord refused it", "Discord refused it"]);
    expect(await (await call("POST", `/dead/${dead.events[0]?.id}/redeliver`)).json()).toEqual({
      redelivered: 1,
    });
    expect(await (await call("POST", "/dead/redeliver", {})).json()).toEqual({ redelivered: 1 });
    expect((await call("POST", "/dead/999/redeliver")).status).toBe(404);
  });

  it("redelivers a time range of dead letters (since/until on when the change was written) and refuses a bad range", async () => {
    const id = await twoDeadEvents("x");
    for (const [body, parameter] of [
      [{ since: "yesterday" }, "since"],
      [{ since: 1700000000 }, "since"],
      [{ since: "2026-12-01T10:00:00Z", until: "soon" }, "until"],
      [{ until: "2026-12-01T10:00:00Z" }, "until"],
    ] as const) {
      const res = await call("POST", "/dead/redeliver", body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_range", parameter });
    }
    const empty = await call("POST", "/dead/redeliver", {
      since: "2026-12-01T10:00:00Z",
      until: "2026-12-01T09:00:00Z",
    });
    expect(await empty.json()).toMatchObject({ error: "invalid_range", reason: "empty_range" });
    expect((await ctx.store.webhooks.countByState()).dead).toBe(2);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await (await call("POST", "/dead/redeliver", { since: future })).json()).toEqual({
      redelivered: 0,
    });
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    expect(
      await (await call("POST", "/dead/redeliver", { since: hourAgo, until: future, webhookId: id })).json(),
    ).toEqual({
      redelivered: 2,
    });
  });

  it("answers 400 to a dead-letter webhook id that is not a number, before it reaches the database", async () => {
    for (const res of [
      await call("GET", "/dead?webhookId=abc"),
      await call("GET", "/dead?webhookId=1%20or%201=1"),
      await call("POST", "/dead/redeliver", { webhookId: "abc" }),
      await call("POST", "/dead/redeliver", { webhookId: -1 }),
    ]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_id" });
    }
    expect((await call("GET", "/dead?webhookId=12")).status).toBe(200);
    expect(await (await call("POST", "/dead/redeliver", { webhookId: 12 })).json()).toEqual({
      redelivered: 0,
    });
  });
});

const pg = await checkPostgres();

describe.skipIf(!pg.available)("admin webhooks API on Postgres", () => {
  let pgTeardown: () => Promise<void>;
  beforeEach(async () => {
    const handle = await createPostgresTestStore(postgres, { connectionString: pg.url });
    const made = await createTestContext({
      store: handle.store,
      settings: { discordApiBaseUrl: sim.apiBaseUrl },
    });
    app = createServerApp(made.ctx);
    pgTeardown = handle.teardown;
    await sql`create table shifts (id bigint primary key, opens time, starts timestamptz, note text)`.execute(
      handle.db,
    );
  });
  afterEach(async () => pgTeardown());

  const shift = { url: URL, template: "{note}", table: "shifts", operation: "INSERT" };

  it("answers 400, not 500, for a WHEN condition Postgres refuses at CREATE TRIGGER, and stores nothing", async () => {
    const refused = await call("POST", "", { ...shift, when: "NEW.opens > 5" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: "invalid_definition",
      issues: [
        { path: ["when"], code: "when_refused", message: expect.stringContaining("operator does not exist") },
      ],
    });
    const typed = await call("POST", "", { ...shift, when: "NEW.starts > 5" });
    expect(typed.status).toBe(400);
    expect(await typed.json()).toMatchObject({
      issues: [{ path: ["when"], code: "when_type", position: 0 }],
    });
    expect(await (await call("GET", "")).json()).toEqual({ webhooks: [] });

    const { id } = (await (await call("POST", "", { ...shift, when: "NEW.note = 'x'" })).json()) as {
      id: string;
    };
    const patched = await call("PATCH", `/${id}`, { when: "NEW.opens > 5" });
    expect(patched.status).toBe(400);
    expect(await (await call("GET", `/${id}`)).json()).toMatchObject({
      when: "NEW.note = 'x'",
      enabled: true,
    });
  });

  it("answers 400, not a database cast error, to a dead-letter webhook id that is not a number", async () => {
    expect((await call("GET", "/dead?webhookId=abc")).status).toBe(400);
    expect((await call("POST", "/dead/redeliver", { webhookId: "abc" })).status).toBe(400);
  });
});
