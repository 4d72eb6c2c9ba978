import { afterEach, describe, expect, it } from "vitest";
import type { ServerContext } from "../src/context";
import { startServer } from "../src/serve";
import { createTestContext } from "./helpers";

const TOKEN = "metrics-token-0123456789";
let teardowns: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const teardown of teardowns.reverse()) await teardown();
  teardowns = [];
});

async function start(settings: Partial<ServerContext["settings"]>) {
  const { ctx, teardown } = await createTestContext({
    settings: { host: "127.0.0.1", port: 0, ...settings },
  });
  const server = await startServer(ctx);
  teardowns.push(teardown, server.close);
  return server;
}

describe("/metrics of the server, over HTTP", () => {
  it("is open on the server's port by default", async () => {
    const server = await start({});
    expect(server.metricsPort).toBeNull();
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("process_cpu");
  });

  it("with METRICS_TOKEN answers only `Authorization: Bearer <token>`", async () => {
    const server = await start({ metricsToken: TOKEN });
    const url = `http://127.0.0.1:${server.port}/metrics`;
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    expect(await refused.text()).not.toContain("process_cpu");
    for (const authorization of [`bearer ${TOKEN}`, `Bearer  ${TOKEN}`, `Bearer ${TOKEN}0`]) {
      expect((await fetch(url, { headers: { authorization } })).status).toBe(401);
    }
    const served = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain("process_cpu");
  });

  it("with METRICS_PORT moves to that port (behind the token) and leaves the routes' port", async () => {
    const server = await start({ metricsPort: 0, metricsToken: TOKEN });
    expect(server.metricsPort).not.toBeNull();
    expect(server.metricsPort).not.toBe(server.port);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    const metrics = `http://127.0.0.1:${server.metricsPort}/metrics`;
    expect((await fetch(metrics)).status).toBe(401);
    const served = await fetch(metrics, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain("process_cpu");
    expect((await fetch(`http://127.0.0.1:${server.metricsPort}/healthz`)).status).toBe(200);
  });
});
