import type { AppStore } from "@guildkit/runtime";
import * as postgres from "@guildkit/store-postgres";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore, freePort } from "@guildkit/store-testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** The server as main.ts serves it, on `store`. */
async function served(store?: AppStore) {
  const { ctx, teardown } = await createTestContext(store ? { store } : {});
  cleanups.push(teardown);
  return createServerApp(ctx);
}

/** A Postgres store whose server is away: nothing listens on its port. */
async function storeWithoutDatabase(): Promise<AppStore> {
  const port = await freePort();
  const store = postgres.createPostgresStore({
    connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
  });
  cleanups.push(() => store.close());
  return store;
}

describe("health and readiness", () => {
  it("/readyz answers 200 on a migrated database and 503 migrations_pending on one not migrated", async () => {
    const ready = await (await served()).request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", database: "ok" });

    const fresh = await createSqliteTestStore(sqlite, { migrate: false });
    cleanups.push(fresh.teardown);
    const notReady = await (await served(fresh.store)).request("/readyz");
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: "unavailable", reason: "migrations_pending" });
  });

  it("while the database is away: /healthz stays 200 (database unreachable), /readyz is 503 with the reason", async () => {
    const app = await served(await storeWithoutDatabase());
    const health = await app.request("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "unreachable" });
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "unavailable", reason: "database_unreachable" });
  });

  it("a request that needs the database answers 503 database_unavailable with Retry-After while it is away", async () => {
    const app = await served(await storeWithoutDatabase());
    const res = await app.request("/admin/api/webhooks", {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toMatchObject({ error: "database_unavailable" });
    // routes that need no database still answer
    expect((await app.request("/metrics")).status).toBe(200);
  });
});
