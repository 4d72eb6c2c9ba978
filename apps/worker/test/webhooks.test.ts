import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore, type TestStoreHandle } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWebhookWorker, type WebhookWorker } from "../src/webhooks";

const GUILD = "1100000000000000000";
const CHANNEL = "1200000000000000001";
const HOOK_A = "1250000000000000001";
const HOOK_B = "1250000000000000002";
const TOKEN = "tok-en_123";
const url = (id: string) => `https://discord.com/api/webhooks/${id}/${TOKEN}`;

let sim: DiscordSim;
let handle: TestStoreHandle;
let now: number;
let worker: WebhookWorker;
const clock = { now: () => new Date(now) };

beforeAll(async () => {
  sim = await startDiscordSim({ routeLimits: { execute_webhook: { limit: 5, windowMs: 100 } } });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  sim.seed.application({});
  sim.seed.guild({ id: GUILD });
  sim.seed.channel({ guildId: GUILD, id: CHANNEL });
  for (const id of [HOOK_A, HOOK_B]) sim.seed.webhook({ channelId: CHANNEL, id, token: TOKEN, name: "hook" });
  handle = await createSqliteTestStore(sqlite);
  now = Date.parse("2026-11-23T12:00:00.000Z");
  await sql`create table orders (id integer primary key autoincrement, item text, buyer_id text)`.execute(
    handle.db,
  );
  worker = makeWorker(10_000);
});
const makeWorker = (timeoutMs: number) =>
  createWebhookWorker({
    store: handle.store,
    discordApiBaseUrl: sim.apiBaseUrl,
    owner: "test-worker",
    clock,
    timeoutMs,
    delivery: { idleWaitMs: 20, perWebhook: 5 },
  });
afterEach(async () => {
  await worker.rest?.close?.();
  await handle.teardown();
});

const define = (hook: string, extra: Record<string, unknown> = {}) =>
  handle.store.webhooks.create({
    url: url(hook),
    template: "order {id}: {item} for <@{buyer_id}>",
    username: "Shop",
    table: "orders",
    operation: "INSERT",
    mentionUserColumns: ["buyer_id"],
    ...extra,
  });
const order = (item: string, buyer = "80351110224678912") =>
  sql`insert into orders (item, buyer_id) values (${item}, ${buyer})`.execute(handle.db);
const events = () =>
  handle.db
    .selectFrom("webhook_outbox")
    .select([
      "id",
      "webhook_id",
      "state",
      "attempts",
      "message_id",
      "possible_duplicate",
      "dead_reason",
      "last_error",
    ])
    .orderBy("id")
    .execute();
/**
 * Delivers rounds until a round does nothing (or `rounds` ran). With `advanceMs`, an empty round
 * while events are still pending moves the fake clock on (a 429 the client could not absorb under
 * load leaves its event waiting for `retry_after`).
 */
async function drain(rounds = 20, advanceMs = 0): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const r = await worker.delivery.deliverOnce();
    if (r.claimed > 0) continue;
    if (advanceMs === 0 || (await handle.store.webhooks.countByState()).pending === 0) return;
    now += advanceMs;
  }
}

describe("webhook delivery against discord-sim", () => {
  it("delivers each webhook's messages in order within its rate limit, safely, and stores the message ids", async () => {
    await define(HOOK_A);
    await define(HOOK_B, { template: "B {item}" });
    for (let i = 1; i <= 12; i++) await order(`item${i}`);
    await drain(60, 1_000);
    const a = sim.inspect.messages(HOOK_A);
    expect(a.map((m) => m.content)).toEqual(
      Array.from({ length: 12 }, (_, i) => `order ${i + 1}: item${i + 1} for <@80351110224678912>`),
    );
    expect(sim.inspect.messages(HOOK_B).map((m) => m.content)).toEqual(
      Array.from({ length: 12 }, (_, i) => `B item${i + 1}`),
    );
    const rows = await events();
    expect(rows.every((r) => r.state === "delivered" && r.message_id !== null && r.attempts === 0)).toBe(
      true,
    );
    expect(a[0]).toMatchObject({
      body: { username: "Shop", allowed_mentions: { parse: [], users: ["80351110224678912"] } },
    });
  });

  it("waits out a 429's retry_after without counting an attempt", async () => {
    await define(HOOK_A);
    sim.faults.set({ route: "execute_webhook", force429: { count: 1, retryAfterMs: 30 } });
    await order("x");
    await drain(20, 1_000);
    expect((await events())[0]).toMatchObject({ state: "delivered", attempts: 0 });
    expect(sim.inspect.rateLimited().total).toBe(1);
  });

  it("retries a 5xx on the schedule, holding back later events of the same webhook", async () => {
    await define(HOOK_A);
    sim.faults.set({ route: "execute_webhook", errorRate: 1, errorStatuses: [502] });
    await order("first");
    await order("second");
    await drain();
    expect((await events()).map((e) => [e.state, e.attempts])).toEqual([
      ["pending", 1],
      ["pending", 0],
    ]);
    sim.faults.clear();
    await drain();
    expect(sim.inspect.messages(HOOK_A)).toHaveLength(0); // not due yet
    now += 5_000;
    await drain();
    expect(sim.inspect.messages(HOOK_A).map((m) => m.content)).toEqual([
      "order 1: first for <@80351110224678912>",
      "order 2: second for <@80351110224678912>",
    ]);
  });

  it("disables the webhook on 404 and dead-letters its pending events", async () => {
    const w = await define(HOOK_A);
    sim.seed.deleteWebhook(HOOK_A);
    await order("a");
    await order("b");
    await drain();
    expect((await events()).map((e) => e.state)).toEqual(["dead", "dead"]);
    const stored = await handle.store.webhooks.get(w.id);
    expect(stored?.enabled).toBe(false);
    expect(stored?.disabledReason).toContain("404 / 10015");
    await order("c");
    expect(await events()).toHaveLength(2); // the trigger is gone
    const log = await handle.db
      .selectFrom("event_log")
      .select(["kind", "message"])
      .where("kind", "=", "webhook.disabled")
      .execute();
    expect(log).toHaveLength(1);
    expect(JSON.stringify(log)).not.toContain(TOKEN);
  });

  it("dead-letters a 400 with Discord's message, lists it, and redelivers it on request", async () => {
    const w = await define(HOOK_A);
    // A name Discord refuses (a row written before validation existed): 400 / 50035.
    await sql`update discord_webhooks set username = 'Discord fan' where id = ${w.id}`.execute(handle.db);
    await order("bad");
    await order("next");
    await drain();
    const dead = await handle.store.webhooks.listDead();
    expect(dead).toHaveLength(2);
    expect(dead[0]?.reason).toMatch(/^Discord refused the message \(400 \/ 50035\)/);
    await sql`update discord_webhooks set username = 'Shop' where id = ${w.id}`.execute(handle.db);
    expect(await handle.store.webhooks.redeliver({ all: true })).toBe(2);
    await drain();
    expect(sim.inspect.messages(HOOK_A).map((m) => m.content)).toEqual([
      "order 1: bad for <@80351110224678912>",
      "order 2: next for <@80351110224678912>",
    ]);
  });

  it("reports a timed-out post as a possible duplicate, not a clean failure", async () => {
    await define(HOOK_A);
    await worker.rest?.close();
    worker = makeWorker(250);
    sim.faults.set({ route: "execute_webhook", latencyMs: 600 });
    await order("slow");
    await drain(1);
    expect((await events())[0]).toMatchObject({ state: "pending", attempts: 1, possible_duplicate: 1 });
    const log = await handle.db
      .selectFrom("event_log")
      .select("kind")
      .where("kind", "=", "webhook.possible_duplicate")
      .execute();
    expect(log).toHaveLength(1);
    sim.faults.clear();
    now += 5_000;
    await drain();
    expect((await events())[0]).toMatchObject({ state: "delivered", possible_duplicate: 1 });
  });
});
