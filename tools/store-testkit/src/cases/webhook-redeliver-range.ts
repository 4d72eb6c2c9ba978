import { type Dialect, encodeTime } from "@guildkit/store-kysely";
import { RedeliverRangeError } from "@guildkit/webhook-templates";
import { expect, it } from "vitest";
import type { TestStoreHandle, TestStoreOptions } from "../define";
import { claimAll, define, insertItem, itemsTable, outboxRows } from "./webhook-fixtures";

const at = (iso: string) => new Date(iso);

/**
 * Replaying a time range of dead letters (`redeliver({ since, until?, webhookId? })`): the range is
 * on `created_at` (when the change was written), half-open, optionally of one webhook; a range that
 * is not two ordered times is refused and changes nothing.
 */
export function defineWebhookRedeliverRangeCases(
  fresh: (options?: TestStoreOptions) => Promise<TestStoreHandle>,
  dialect: Dialect,
): void {
  it("redelivers the dead events whose change was written in [since, until), of one webhook or all, and refuses a bad range", async () => {
    const { store, db } = await fresh();
    await itemsTable(db, dialect);
    const a = await define(store);
    const b = await define(store);
    for (let i = 0; i < 3; i++) await insertItem(db, dialect, { name: `n${i}`, qty: i });
    const events = await claimAll(store, "w");
    expect(events).toHaveLength(6);
    for (const e of events) {
      await store.webhooks.complete(e.id, "w", {
        state: "dead",
        reason: "gone",
        at: new Date(),
        possibleDuplicate: false,
      });
    }
    // The three changes were written at 10:00, 11:00 and 12:00 (each matched both webhooks).
    const written = ["2026-11-20T10:00:00.000Z", "2026-11-20T11:00:00.000Z", "2026-11-20T12:00:00.000Z"];
    for (const row of await outboxRows(db, dialect)) {
      const change = Number(String(JSON.parse(row.new_row ?? "{}").name).slice(1));
      await db
        .updateTable("webhook_outbox")
        .set({ created_at: encodeTime(dialect, at(written[change]!)) as never })
        .where("id", "=", row.id)
        .execute();
    }
    const state = async () => (await outboxRows(db, dialect)).map((r) => `${r.webhook_id}:${r.state}`).sort();

    for (const bad of [
      { since: new Date("nope") },
      { since: at(written[1]!), until: new Date(Number.NaN) },
      { since: at(written[1]!), until: at(written[1]!) },
      { since: at(written[2]!), until: at(written[0]!) },
    ]) {
      const before = await state();
      await expect(store.webhooks.redeliver(bad)).rejects.toBeInstanceOf(RedeliverRangeError);
      expect(await state()).toEqual(before);
    }

    // [10:30, 12:00): only the 11:00 change, for webhook a only.
    expect(
      await store.webhooks.redeliver({
        since: at("2026-11-20T10:30:00.000Z"),
        until: at(written[2]!),
        webhookId: a.id,
      }),
    ).toBe(1);
    expect((await store.webhooks.countByState()).pending).toBe(1);
    // Since 11:00, open-ended, every webhook: the 11:00 change for b and both webhooks' 12:00 one.
    expect(await store.webhooks.redeliver({ since: at(written[1]!) })).toBe(3);
    expect(await store.webhooks.countByState()).toEqual({ pending: 4, delivered: 0, dead: 2 });
    const dead = await store.webhooks.listDead();
    expect(dead.map((d) => d.createdAt?.toISOString())).toEqual([written[0], written[0]]);
    expect(dead.map((d) => d.webhookId).sort()).toEqual([a.id, b.id].sort());
    // A webhook id that is no row id matches nothing.
    expect(await store.webhooks.redeliver({ since: at(written[0]!), webhookId: "0" })).toBe(0);
  });
}
