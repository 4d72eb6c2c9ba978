import type { Dialect } from "@guildkit/store-kysely";
import { installTrigger, listTriggers } from "@guildkit/store-kysely";
import { parseRowJson } from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { expect, it } from "vitest";
import type { TestStoreHandle, TestStoreOptions } from "../define";
import {
  claimAll,
  define,
  dropTriggersOn,
  insertItem,
  itemsTable,
  outboxRows,
  T0,
  triggerNames,
} from "./webhook-fixtures";

/**
 * The cases of one event row per change (table triggers, fan-out at claim time, migration 011) and
 * of pause / resume, registered in the webhooks feature's `describe`.
 */
export function defineWebhookEventCases(
  fresh: (options?: TestStoreOptions) => Promise<TestStoreHandle>,
  dialect: Dialect,
): void {
  it("a change matching three webhooks on its table writes one event row with their ids and only the columns they read; claims fan it out in order", async () => {
    const { store, db } = await fresh();
    await itemsTable(db, dialect);
    const a = await define(store, { template: "{name}" });
    const b = await define(store, { template: "{qty}", when: "NEW.qty > 1" });
    const c = await define(store, { template: "{name} x{qty}" });
    expect(await triggerNames(db, dialect)).toEqual([a, b, c].map((w) => `guildkit_webhook_${w.id}`).sort());
    expect((await listTriggers(db, dialect)).map((t) => t.table)).toEqual(["wh_items"]);

    await insertItem(db, dialect, { name: "apple", qty: 5, price: 9.5, owner_id: "7" });
    await insertItem(db, dialect, { name: "pear", qty: 1, price: 1 });
    const changes = await sql<{ webhook_ids: unknown; new_row: string }>`select webhook_ids,
      ${sql.raw(dialect === "postgres" ? "new_row::text" : "new_row")} as new_row from webhook_event order by id`.execute(
      db,
    );
    const ids = (v: unknown) =>
      (typeof v === "string" ? (JSON.parse(v) as unknown[]) : (v as unknown[])).map(String);
    expect(changes.rows.map((r) => ids(r.webhook_ids))).toEqual([
      [a.id, b.id, c.id],
      [a.id, c.id],
    ]);
    expect(changes.rows.map((r) => Object.keys(parseRowJson(r.new_row) ?? {}).sort())).toEqual([
      ["name", "qty"],
      ["name", "qty"],
    ]);
    // Nothing per webhook is written with the data change.
    expect(await outboxRows(db, dialect)).toEqual([]);

    const claimed = await claimAll(store, "w");
    const runOf = (id: string) =>
      claimed.filter((e) => e.webhookId === id).map((e) => [Number(e.id), parseRowJson(e.newRowJson)?.name]);
    for (const [w, names] of [
      [a, ["apple", "pear"]],
      [b, ["apple"]],
      [c, ["apple", "pear"]],
    ] as const) {
      const run = runOf(w.id);
      expect(run.map((r) => r[1])).toEqual(names);
      expect(run.map((r) => r[0])).toEqual([...run.map((r) => r[0])].sort((x, y) => Number(x) - Number(y)));
    }
    expect((await sql`select id from webhook_event`.execute(db)).rows).toEqual([]);

    // Removing one regenerates the table's trigger without it, in the same transaction.
    await store.webhooks.remove(b.id);
    expect(await triggerNames(db, dialect)).toEqual([a, c].map((w) => `guildkit_webhook_${w.id}`).sort());
    await insertItem(db, dialect, { name: "fig", qty: 9 });
    await store.webhooks.fanOut();
    expect((await outboxRows(db, dialect)).slice(-2).map((r) => String(r.webhook_id))).toEqual([a.id, c.id]);
  });

  it("a paused webhook's events accumulate while others are delivered, and go out in order on resume; pausing keeps the trigger", async () => {
    const { store, db } = await fresh();
    await itemsTable(db, dialect);
    const a = await define(store);
    const b = await define(store);
    const paused = await store.webhooks.pause(a.id);
    expect(paused).toMatchObject({ id: a.id, enabled: true });
    expect(paused?.pausedAt).toBeInstanceOf(Date);
    expect(await triggerNames(db, dialect)).toEqual([a, b].map((w) => `guildkit_webhook_${w.id}`).sort());
    for (let i = 0; i < 3; i++) await insertItem(db, dialect, { name: `n${i}`, qty: i });
    const claim = (owner: string) => claimAll(store, owner);

    const first = await claim("w1");
    expect(first.map((e) => e.webhookId)).toEqual([b.id, b.id, b.id]);
    for (const e of first) {
      await store.webhooks.complete(e.id, "w1", {
        state: "delivered",
        messageId: "m",
        at: T0,
        possibleDuplicate: false,
      });
    }
    // Nothing is due while the only pending events are the paused webhook's.
    expect(await store.webhooks.hasDueEvents()).toBe(false);
    const pending = (await outboxRows(db, dialect)).filter((r) => String(r.webhook_id) === a.id);
    expect(pending.map((r) => r.state)).toEqual(["pending", "pending", "pending"]);
    await insertItem(db, dialect, { name: "while paused", qty: 9 });

    expect((await store.webhooks.resume(a.id))?.pausedAt).toBeNull();
    const resumed = await claim("w2");
    expect(resumed.map((e) => [e.webhookId, parseRowJson(e.newRowJson)?.name])).toEqual([
      [a.id, "n0"],
      [a.id, "n1"],
      [a.id, "n2"],
      [a.id, "while paused"],
      [b.id, "while paused"],
    ]);
    expect(await store.webhooks.pause("999999")).toBeNull();
    expect(await store.webhooks.resume("0")).toBeNull();
  });

  it("migration 011 replaces the per-webhook triggers of a table by one table trigger, and events written before it are still delivered", async () => {
    const { store, db } = await fresh();
    await itemsTable(db, dialect);
    const a = await define(store);
    const b = await define(store, { when: "NEW.qty > 1" });
    // The database as before 011: one trigger per webhook, writing webhook_outbox directly.
    await dropTriggersOn(db, dialect, "wh_items");
    for (const w of [a, b]) {
      await installTrigger(db, dialect, { id: w.id, table: "wh_items", operation: "INSERT", when: w.when });
    }
    await insertItem(db, dialect, { name: "before", qty: 5 });
    // (SQLite fires a table's triggers newest first: compare as sets)
    expect((await outboxRows(db, dialect)).map((r) => String(r.webhook_id)).sort()).toEqual(
      [a.id, b.id].sort(),
    );

    await sql`delete from guildkit_migration where name = '011-webhook-events'`.execute(db);
    expect((await store.migrate()).applied).toEqual(["011-webhook-events"]);
    expect((await listTriggers(db, dialect)).map((t) => t.name)).toEqual([
      "guildkit_webhooks_insert_wh_items",
    ]);
    expect(await triggerNames(db, dialect)).toEqual([a, b].map((w) => `guildkit_webhook_${w.id}`).sort());

    await insertItem(db, dialect, { name: "after", qty: 5 });
    expect((await sql`select id from webhook_event`.execute(db)).rows).toHaveLength(1);
    const claimed = await claimAll(store, "w");
    const names = (id: string) =>
      claimed.filter((e) => e.webhookId === id).map((e) => parseRowJson(e.newRowJson)?.name);
    expect([names(a.id), names(b.id)]).toEqual([
      ["before", "after"],
      ["before", "after"],
    ]);
  });
}
