import type { Dialect } from "@guildkit/store-kysely";
import {
  createWebhookDelivery,
  WebhookDefinitionError,
  type WebhookSender,
} from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { expect, it } from "vitest";
import type { TestStoreHandle, TestStoreOptions } from "../define";
import { claimAll, define, insertItem, itemsTable, T0 } from "./webhook-fixtures";

/**
 * The cases of each webhook's own delivery options (migration 014): its retry schedule and give-up
 * age, stored, carried by claims and applied by delivery, with the "events dead" alert.
 */
export function defineWebhookDeliveryOptionsCases(
  fresh: (options?: TestStoreOptions) => Promise<TestStoreHandle>,
  dialect: Dialect,
): void {
  it("a webhook's own retry schedule and give-up age are stored, carried by its claimed events, and refused when out of range (nothing written)", async () => {
    const { store, db } = await fresh();
    await itemsTable(db, dialect);
    const own = await define(store, { retryDelaysMs: [1_000, 60_000], giveUpAfterMs: 600_000 });
    const plain = await define(store);
    expect(own).toMatchObject({ retryDelaysMs: [1_000, 60_000], giveUpAfterMs: 600_000 });
    expect(plain).toMatchObject({ retryDelaysMs: null, giveUpAfterMs: null });
    const rows = await sql<{ id: unknown; retry_delays_ms: string | null; give_up_after_ms: unknown }>`
      select id, retry_delays_ms, give_up_after_ms from discord_webhooks order by id`.execute(db);
    expect(
      rows.rows.map((r) => [
        r.retry_delays_ms,
        r.give_up_after_ms === null ? null : Number(r.give_up_after_ms),
      ]),
    ).toEqual([
      ["[1000,60000]", 600_000],
      [null, null],
    ]);

    await insertItem(db, dialect, { name: "apple", qty: 1 });
    const claimed = await claimAll(store, "w1");
    const byWebhook = new Map(claimed.map((e) => [e.webhookId, e.webhook]));
    expect(byWebhook.get(own.id)).toMatchObject({ retryDelaysMs: [1_000, 60_000], giveUpAfterMs: 600_000 });
    expect(byWebhook.get(plain.id)).toMatchObject({ retryDelaysMs: null, giveUpAfterMs: null });

    const updated = await store.webhooks.update(own.id, {
      url: own.url,
      template: own.template,
      table: "wh_items",
      operation: "INSERT",
      retryDelaysMs: [],
    });
    expect(updated).toMatchObject({ retryDelaysMs: [], giveUpAfterMs: null });

    for (const bad of [
      { retryDelaysMs: [500] },
      { retryDelaysMs: Array.from({ length: 21 }, () => 1_000) },
      { retryDelaysMs: [1.5e3 + 0.5] },
      { giveUpAfterMs: 1_000 },
      { giveUpAfterMs: 31 * 86_400_000 },
    ]) {
      const error = await define(store, bad).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(WebhookDefinitionError);
      expect((error as WebhookDefinitionError).issues[0]?.path[0]).toBe(Object.keys(bad)[0]);
    }
    expect((await store.webhooks.list()).map((w) => w.id)).toEqual([own.id, plain.id]);
  });

  it("delivery follows a webhook's own schedule and give-up age, and an events-dead alert reaches the event log and the counters", async () => {
    let now = T0.getTime();
    const clock = { now: () => new Date(now) };
    const { store, db } = await fresh({ clock });
    await itemsTable(db, dialect);
    const short = await define(store, { retryDelaysMs: [2_000, 4_000] });
    const aged = await define(store, { template: "{name}", giveUpAfterMs: 3 * 60_000 });
    await insertItem(db, dialect, { name: "apple", qty: 1 });
    const posts: string[] = [];
    const sender: WebhookSender = {
      async executeWebhook({ body }) {
        posts.push(`${now - T0.getTime()} ${body.content}`);
        throw Object.assign(new Error("Discord 502"), {
          retryable: true,
          status: 502,
          code: null,
          retryAfterMs: null,
        });
      },
    };
    const scheduler = { sleep: async () => {}, setTimer: () => 0, clear: () => {} };
    const delivery = createWebhookDelivery({
      outbox: store.webhooks,
      sender,
      clock,
      scheduler,
      log: store.eventLog,
      owner: "w1",
      channelBudget: null,
    });
    const state = async (id: string) =>
      (
        await sql<{ state: string; dead_reason: string | null }>`
          select state, dead_reason from webhook_outbox where webhook_id = ${sql`cast(${id} as bigint)`}`.execute(
          db,
        )
      ).rows[0];

    await delivery.deliverOnce();
    now += 2_000; // `short`'s first wait; `aged` waits the default 5 s
    await delivery.deliverOnce();
    expect(await state(short.id)).toMatchObject({ state: "pending" });
    now += 4_000; // `short`'s second and last wait; `aged`'s 5 s have passed
    await delivery.deliverOnce();
    expect(posts.sort()).toEqual([
      "0 #1 apple x1",
      "0 apple",
      "2000 #1 apple x1",
      "6000 #1 apple x1",
      "6000 apple",
    ]);
    expect(await state(short.id)).toMatchObject({ state: "dead" });
    expect((await state(short.id))?.dead_reason).toMatch(
      /^gave up after 3 attempts; last: Discord answered 502/,
    );
    // `aged`'s next wait (5 min) would take it past its 3 minutes.
    expect(await state(aged.id)).toMatchObject({ state: "dead" });
    expect((await state(aged.id))?.dead_reason).toMatch(
      /^gave up after 2 attempts: the next one would come more than 3 min after the event/,
    );

    const alerts = await sql<{ message: string; data: unknown }>`
      select message, data from event_log where kind = 'webhook.events_dead' order by id`.execute(db);
    expect(alerts.rows.map((r) => r.message).sort()).toEqual([
      expect.stringMatching(
        new RegExp(`^webhook ${short.id}: 1 event\\(s\\) dead; last reason: gave up after 3 attempts`),
      ),
      expect.stringMatching(new RegExp(`^webhook ${aged.id}: 1 event\\(s\\) dead`)),
    ]);
    expect(delivery.counters()).toMatchObject({ dead: 2, retried: 3, delivered: 0 });
  });

  it("an embed template and coalesce are stored and carried by claims, and the trigger keeps the columns only the embed reads", async () => {
    const { store, db } = await fresh();
    await itemsTable(db, dialect);
    const embed = { title: "qty {qty}", fields: [{ name: "price", value: "{price}", inline: true }] };
    const hook = await define(store, { template: "{name}", embed, coalesce: 10 });
    expect(hook).toMatchObject({ embed, coalesce: 10 });
    const stored = await sql<{ embed_template: string | null; coalesce_max: unknown }>`
      select embed_template, coalesce_max from discord_webhooks`.execute(db);
    expect(JSON.parse(stored.rows[0]?.embed_template ?? "null")).toEqual(embed);
    expect(Number(stored.rows[0]?.coalesce_max)).toBe(10);

    await insertItem(db, dialect, { name: "apple", qty: 3, price: 2.5, owner_id: "9" });
    const [event] = await claimAll(store, "w1");
    expect(event?.webhook).toMatchObject({ embed, coalesce: 10 });
    const row = JSON.parse(event?.newRowJson ?? "{}");
    expect(row).toMatchObject({ name: "apple", qty: 3, price: 2.5 });
    expect(row).not.toHaveProperty("owner_id");

    const error = await define(store, { coalesce: 4 }).catch((e: unknown) => e);
    expect((error as WebhookDefinitionError).issues.map((i) => i.code)).toEqual(["coalesce_needs_embed"]);
  });
}
