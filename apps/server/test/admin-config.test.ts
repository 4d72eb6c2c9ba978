import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let ctx: ServerContext;
let teardown: () => Promise<void>;
let app: ReturnType<typeof createServerApp>;

beforeEach(async () => {
  ({ ctx, teardown } = await createTestContext());
  app = createServerApp(ctx);
});
afterEach(async () => teardown());

const put = (body: unknown) =>
  app.request("/admin/api/config/discord", {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("health", () => {
  it("answers ok with a database round trip", async () => {
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: "ok" });
  });

  it("serves Prometheus metrics", async () => {
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("process_cpu_user_seconds_total");
  });
});

describe("admin config API", () => {
  it("refuses a request without the admin token", async () => {
    const res = await app.request("/admin/api/config/discord");
    expect(res.status).toBe(401);
    const wrong = await app.request("/admin/api/config/discord", {
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);
  });

  it("saves a version and shows secrets masked, never in clear", async () => {
    const res = await put({
      client_id: "123456789012345678",
      client_secret: "super-secret-client-value",
      bot_token: "bot-token-value-that-is-long",
      guild_id: "223456789012345678",
      role_ids: ["323456789012345678"],
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("super-secret-client-value");
    expect(text).not.toContain("bot-token-value-that-is-long");
    const described = JSON.parse(text) as { version: number; fields: { key: string; value: unknown }[] };
    expect(described.version).toBe(1);
    expect(described.fields.find((f) => f.key === "guild_id")?.value).toBe("223456789012345678");
    expect(described.fields.find((f) => f.key === "sync_interval_hours")?.value).toBe(24);

    const row = await ctx.store.kysely
      .selectFrom("config_versions")
      .select(["version"])
      .where("module", "=", "discord")
      .execute();
    expect(row).toHaveLength(1);
    const events = await ctx.store.eventLog.list({ kind: "config.saved", limit: 5 });
    expect(JSON.stringify(events)).not.toContain("super-secret-client-value");
  });

  it("rejects bad fields by name and writes nothing", async () => {
    const res = await put({ guild_id: "not-a-snowflake", sync_interval_hours: 500 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { field: string }[] };
    expect(body.issues.map((i) => i.field).sort()).toEqual(["guild_id", "sync_interval_hours"]);
    const rows = await ctx.store.kysely.selectFrom("config_versions").selectAll().execute();
    expect(rows).toHaveLength(0);
  });

  it("answers 409 when the expected version is stale", async () => {
    expect((await put({ guild_id: "223456789012345678" })).status).toBe(200);
    const res = await put({ guild_id: "223456789012345679", expectedVersion: 0 });
    expect(res.status).toBe(409);
  });

  it("answers 404 for an unknown module", async () => {
    const res = await app.request("/admin/api/config/nope", { headers: auth });
    expect(res.status).toBe(404);
  });
});
