import type { Database, Dialect } from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";

const DAY = 86_400_000;
const NOW = new Date("2026-11-30T12:00:00.000Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const stamp = (dialect: Dialect, date: Date) => (dialect === "postgres" ? date : date.toISOString());

/**
 * A disabled webhook definition written straight into `discord_webhooks` (no trigger), for cases and
 * benches that plant outbox rows of their own. Returns its id.
 */
export async function plantWebhook(db: Kysely<Database>, dialect: Dialect, now = NOW): Promise<string> {
  const row = await db
    .insertInto("discord_webhooks")
    .values({
      webhook_url: "https://discord.com/api/webhooks/1/t",
      message_template: "{values}",
      username: "",
      trigger_table: "members",
      trigger_op: "INSERT",
      when_clause: "",
      enabled: dialect === "postgres" ? false : 0,
      mention_user_columns: "[]",
      created_at: now.toISOString(),
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(row.id);
}

async function plantEvent(
  db: Kysely<Database>,
  dialect: Dialect,
  webhookId: string,
  state: "pending" | "delivered" | "dead",
  age: number,
): Promise<string> {
  const at = stamp(dialect, ago(age));
  const row = await db
    .insertInto("webhook_outbox")
    .values({
      webhook_id: webhookId,
      op: "INSERT",
      new_row: "{}",
      created_at: at,
      state,
      delivered_at: state === "delivered" ? at : null,
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(row.id);
}

const ids = async (db: Kysely<Database>, table: "webhook_outbox" | "event_log") =>
  (await db.selectFrom(table).select("id").orderBy("id").execute()).map((r) => String(r.id));

/** Conformance of `store.retention` (migration `010-retention`). */
export const retentionCases = defineStoreCases("retention", ({ fresh, dialect }) => {
  it("purges delivered events older than 7 days and event-log entries older than 30, in batches; keeps pending and dead", async () => {
    const { store, db } = await fresh({ clock: { now: () => NOW } });
    const webhook = await plantWebhook(db, dialect);
    const keep = [
      await plantEvent(db, dialect, webhook, "delivered", 6),
      await plantEvent(db, dialect, webhook, "pending", 40),
      await plantEvent(db, dialect, webhook, "dead", 40),
    ];
    for (let i = 0; i < 5; i++) await plantEvent(db, dialect, webhook, "delivered", 8 + i);
    for (const days of [1, 29, 31, 45, 60]) {
      await db
        .insertInto("event_log")
        .values({
          at: stamp(dialect, ago(days)),
          kind: "t.x",
          level: "info",
          message: `${days}d`,
          data: "{}",
        } as never)
        .execute();
    }
    const report = await store.retention.purge({ policy: { batchSize: 2 } });
    expect(report).toEqual({ deliveredEvents: 5, eventLog: 3, statements: 3 + 2 });
    expect(await ids(db, "webhook_outbox")).toEqual([...keep].sort((a, b) => Number(a) - Number(b)));
    const left = await db.selectFrom("event_log").select("message").orderBy("id").execute();
    expect(left.map((r) => r.message)).toEqual(["1d", "29d"]);
    expect(await store.retention.purge()).toEqual({ deliveredEvents: 0, eventLog: 0, statements: 2 });
  });

  it("takes the policy's ages, and an aborted purge stops between batches", async () => {
    const { store, db } = await fresh({ clock: { now: () => NOW } });
    const webhook = await plantWebhook(db, dialect);
    await plantEvent(db, dialect, webhook, "delivered", 2);
    expect((await store.retention.purge({ policy: { deliveredEventsMs: 3 * DAY } })).deliveredEvents).toBe(0);
    expect((await store.retention.purge({ policy: { deliveredEventsMs: DAY } })).deliveredEvents).toBe(1);
    await plantEvent(db, dialect, webhook, "delivered", 9);
    const controller = new AbortController();
    controller.abort();
    await expect(store.retention.purge({ signal: controller.signal })).rejects.toThrow();
    expect(await ids(db, "webhook_outbox")).toHaveLength(1);
  });

  it("010-retention indexes the delivered events by delivered_at", async () => {
    const { db } = await fresh();
    const names =
      dialect === "postgres"
        ? (
            await sql<{
              name: string;
            }>`select indexname as name from pg_indexes where tablename = 'webhook_outbox'`.execute(db)
          ).rows
        : (
            await sql<{
              name: string;
            }>`select name from sqlite_master where type = 'index' and tbl_name = 'webhook_outbox'`.execute(
              db,
            )
          ).rows;
    expect(names.map((r) => r.name)).toContain("webhook_outbox_delivered_idx");
  });
});
