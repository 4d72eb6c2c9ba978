import { parseWorkerSettings } from "@guildkit/config";
import { freePort, TEST_SECRET_KEY } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";
import { createMetrics, serveMetrics } from "../src/metrics";
import { registerOutboxGauges } from "../src/metrics-webhooks";
import { registerRoleSyncMetrics, roleSyncTask } from "../src/role-sync";
import { runWorker } from "../src/run-worker";
import { webhookDeliveryTask } from "../src/webhooks";
import { seededGuild, waitFor } from "./role-sync-harness";

const CHANNEL = "1200000000000000001";
const HOOK_OK = "1250000000000000001";
const HOOK_BAD = "1250000000000000002";
const HOOK_TOKEN = "hook-token_SECRET";

/** The value of the series `name` whose labels include `labels` (null when absent). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const body = line.slice(name.length);
    const labelText = body.startsWith("{") ? body.slice(1, body.indexOf("}")) : "";
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return null;
}

let cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe("the worker's /metrics after real work against discord-sim", () => {
  it("shows Discord requests by route template, 429s by scope, role-sync rounds and the outbox's outcomes", async () => {
    const g = await seededGuild({ count: 12 });
    cleanups.push(() => g.close());
    const { sim, store } = g;
    sim.seed.channel({ guildId: g.guild.id, id: CHANNEL });
    sim.seed.webhook({ channelId: CHANNEL, id: HOOK_OK, token: HOOK_TOKEN, name: "hook" });
    sim.seed.webhook({ channelId: CHANNEL, id: HOOK_BAD, token: HOOK_TOKEN, name: "hook" });
    // Two role changes answered with a shared 429 first (not an invalid request: no ban count).
    sim.faults.set({ route: "member_role", force429: { count: 2, retryAfterMs: 30, scope: "shared" } });
    await sql`create table orders (id integer primary key autoincrement, item text)`.execute(store.kysely);
    const define = (id: string, token: string) =>
      store.webhooks.create({
        url: `https://discord.com/api/webhooks/${id}/${token}`,
        template: "order {id}: {item}",
        username: "Shop",
        table: "orders",
        operation: "INSERT",
      });
    await define(HOOK_OK, HOOK_TOKEN);
    await define(HOOK_BAD, "wrong-token"); // 401 Invalid Webhook Token: the webhook is disabled
    for (const item of ["tea", "cake", "jam"]) {
      await sql`insert into orders (item) values (${item})`.execute(store.kysely);
    }
    const adds = g.seeded.filter((m, i) => i % 3 !== 0 && g.paying.has(m.userId)).length;
    const removes = g.seeded.filter((m, i) => i % 3 === 0 && !g.paying.has(m.userId)).length;

    const port = await freePort();
    const settings = parseWorkerSettings({
      DATABASE_URL: g.filename,
      GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
      METRICS_PORT: String(port),
      DISCORD_API_BASE_URL: sim.apiBaseUrl,
      DISCORD_CDN_BASE_URL: sim.cdnBaseUrl,
      LOG_LEVEL: "silent",
      NODE_ENV: "test",
    });
    const stop = new AbortController();
    const running = runWorker({
      settings,
      store,
      logger: createLogger({ name: "test", level: "silent" }),
      tasks: [roleSyncTask, webhookDeliveryTask],
      metrics: createMetrics("worker"),
      signal: stop.signal,
    });
    cleanups.push(async () => {
      stop.abort();
      await running;
    });
    await waitFor(() => g.wrong().length === 0, 30_000, "roles to converge");
    await waitFor(
      async () => (await store.webhooks.countByState()).pending === 0,
      30_000,
      "the outbox to drain",
    );
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const at = (name: string, labels?: Record<string, string>) => sample(text, name, labels);

    // Discord, by route template and status; never an id or a token.
    const roleRoute = { client: "role_sync", route: "/guilds/:guild/members/:user/roles/:role" };
    expect(at("guildkit_discord_requests_total", { ...roleRoute, method: "PUT", status: "204" })).toBe(adds);
    expect(at("guildkit_discord_requests_total", { ...roleRoute, status: "429" })).toBe(2);
    expect(at("guildkit_discord_rate_limited_total", { client: "role_sync", scope: "shared" })).toBe(2);
    expect(at("guildkit_discord_budget_wait_seconds_count", { client: "role_sync" })).toBeGreaterThan(adds);
    expect(
      at("guildkit_discord_request_duration_seconds_count", { ...roleRoute, method: "PUT" }),
    ).toBeGreaterThanOrEqual(adds);
    expect(
      at("guildkit_discord_requests_total", {
        client: "webhooks",
        route: "/webhooks/:webhook/:token",
        status: "401",
      }),
    ).toBe(1);
    expect(at("guildkit_discord_invalid_requests", { client: "webhooks" })).toBe(1);
    expect(at("guildkit_discord_invalid_requests", { client: "role_sync" })).toBe(0);
    expect(at("guildkit_discord_ban_guard_state", { client: "webhooks", state: "normal" })).toBe(1);
    for (const secret of [g.guild.id, HOOK_TOKEN, HOOK_OK, g.app.botToken, g.seeded[0]!.userId]) {
      expect(text).not.toContain(secret);
    }

    // Role sync: claims, changes applied, round durations, members by state.
    expect(at("guildkit_role_sync_claims_total")).toBeGreaterThanOrEqual(12);
    expect(at("guildkit_role_sync_changes_total", { change: "added" })).toBe(adds);
    expect(at("guildkit_role_sync_changes_total", { change: "removed" })).toBe(removes);
    expect(at("guildkit_role_sync_round_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(at("guildkit_role_sync_members", { state: "permanent_error" })).toBe(0);

    // The outbox: three delivered (with their latency), the bad webhook's three dead, none pending.
    expect(at("guildkit_webhook_events_total", { outcome: "delivered" })).toBe(3);
    expect(at("guildkit_webhook_events_total", { outcome: "dead" })).toBe(3);
    expect(at("guildkit_webhook_delivery_latency_seconds_count")).toBe(3);
    expect(at("guildkit_webhook_outbox_events", { state: "pending" })).toBe(0);
    expect(at("guildkit_webhook_outbox_events", { state: "dead" })).toBe(3);
    expect(at("guildkit_webhook_outbox_events", { state: "delivered" })).toBe(3);
    expect(at("guildkit_webhook_outbox_lag_seconds")).not.toBeNull();
  }, 60_000);
});

describe("the store-backed gauges while the database is away", () => {
  it("keep their last values and the scrape still answers 200 with every other series", async () => {
    let up = true;
    const read = async <T>(value: T): Promise<T> => {
      if (!up) throw new Error("connection terminated");
      return value;
    };
    const registry = createMetrics("worker-test");
    registerRoleSyncMetrics(registry, {
      reconciler: { blocks: () => [] },
      store: { countByState: () => read({ synced: 5, permanent_error: 1 }) },
    });
    registerOutboxGauges(registry, { countByState: () => read({ pending: 7, delivered: 2, dead: 0 }) });
    const server = await serveMetrics({ registry, port: 0, host: "127.0.0.1", ping: async () => {} });
    cleanups.push(() => server.close());
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      return { status: res.status, text: await res.text() };
    };
    const before = await scrape();
    expect(before.status).toBe(200);
    up = false;
    const during = await scrape();
    expect(during.status).toBe(200);
    expect(during.text).toContain("process_cpu");
    for (const { text } of [before, during]) {
      expect(sample(text, "guildkit_role_sync_members", { state: "synced" })).toBe(5);
      expect(sample(text, "guildkit_webhook_outbox_events", { state: "pending" })).toBe(7);
    }
  });
});
