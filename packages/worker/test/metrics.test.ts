import { Gauge } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics, serveMetrics } from "../src/metrics";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe("serveMetrics", () => {
  it("serves the metrics, a liveness /healthz that stays 200 while the database is away, and /readyz that follows readiness", async () => {
    const registry = createMetrics("worker-test");
    new Gauge({ name: "guildkit_test_gauge", help: "a test gauge", registers: [registry] }).set(7);
    let databaseUp = true;
    const server = await serveMetrics({
      registry,
      port: 0,
      host: "127.0.0.1",
      ping: async () => {
        if (!databaseUp) throw new Error("down");
      },
      ready: async () =>
        databaseUp
          ? { status: "ready", database: "ok", db_ms: 1 }
          : { status: "unavailable", reason: "database_unreachable", message: "the database is unreachable" },
    });
    servers.push(server);
    const base = `http://127.0.0.1:${server.port}`;

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(await metrics.text()).toMatch(/guildkit_test_gauge\{app="worker-test"\} 7/);

    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ status: "ok", database: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", database: "ok", db_ms: 1 });

    databaseUp = false;
    const alive = await fetch(`${base}/healthz`);
    expect(alive.status).toBe(200);
    expect(await alive.json()).toEqual({ status: "ok", database: "unreachable" });
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("content-type")).toBe("application/json");
    expect(await notReady.json()).toMatchObject({ status: "unavailable", reason: "database_unreachable" });

    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("with a token, serves /metrics only to `Authorization: Bearer <token>`, and /healthz to anyone", async () => {
    const token = "metrics-token-0123456789";
    const server = await serveMetrics({
      registry: createMetrics("worker-test"),
      port: 0,
      host: "127.0.0.1",
      token,
      ping: async () => {},
    });
    servers.push(server);
    const base = `http://127.0.0.1:${server.port}`;
    const refused = await fetch(`${base}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    expect(await refused.text()).not.toContain("process_cpu");
    for (const authorization of [`bearer ${token}`, `Bearer  ${token}`, `Bearer ${token}x`, "Bearer"]) {
      expect((await fetch(`${base}/metrics`, { headers: { authorization } })).status).toBe(401);
    }
    const served = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(served.status).toBe(200);
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await served.text()).toContain("process_cpu");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
