import type { AppStore } from "@guildkit/runtime";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { listen } from "./http";

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" };

describe("pausing and resuming a webhook over the admin API", () => {
  let store: AppStore;
  let server: Awaited<ReturnType<typeof listen>>;
  let teardown: () => Promise<void>;
  let id: string;

  beforeAll(async () => {
    const handle = await createSqliteTestStore(sqlite);
    store = handle.store as unknown as AppStore;
    teardown = handle.teardown;
    const { ctx } = await createTestContext({ store });
    await sql.raw("create table orders (id integer primary key autoincrement, item text)").execute(handle.db);
    id = (
      await store.webhooks.create({
        url: "https://discord.com/api/webhooks/1250000000000000001/tok",
        template: "{item}",
        table: "orders",
        operation: "INSERT",
      })
    ).id;
    server = await listen(createServerApp(ctx));
  });
  afterAll(async () => {
    await server?.close();
    await teardown?.();
  });

  const post = (path: string) =>
    fetch(`${server.base}/admin/api/webhooks/${path}`, { method: "POST", headers: admin });

  it("pause holds the webhook's events back, resume hands them out, and an unknown id is a 404", async () => {
    const paused = await post(`${id}/pause`);
    expect(paused.status).toBe(200);
    const body = (await paused.json()) as { pausedAt: string | null; enabled: boolean; url: string };
    expect(body.pausedAt).not.toBeNull();
    expect(body.enabled).toBe(true);
    expect(body.url).not.toContain("tok");
    await sql`insert into orders (item) values ('pear')`.execute(store.kysely);
    const claim = () =>
      store.webhooks.claim({ owner: "w", leaseMs: 60_000, limit: 10, perWebhook: 10, now: new Date() });
    expect(await claim()).toEqual([]);

    const resumed = await post(`${id}/resume`);
    expect(((await resumed.json()) as { pausedAt: string | null }).pausedAt).toBeNull();
    expect((await claim()).map((e) => e.webhookId)).toEqual([id]);

    expect((await post("999999/pause")).status).toBe(404);
    expect((await post("0/resume")).status).toBe(400);
  });
});
