import { afterEach, describe, expect, it } from "vitest";
import type { ServerContext } from "../src/context";
import { startServer } from "../src/serve";
import { createTestContext } from "./helpers";
import { servedWorld } from "./oauth-helpers";

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

describe("the server's HTTP metrics", () => {
  it("count requests and their latency by method, route template and status, never the raw path", async () => {
    const server = await start({});
    const base = `http://127.0.0.1:${server.port}`;
    await fetch(`${base}/healthz`);
    await fetch(`${base}/healthz`);
    // An admin route with an id, refused without the admin token: labelled by its template.
    await fetch(`${base}/admin/api/webhooks/dead/987654321/redeliver`, { method: "POST" });
    await fetch(`${base}/no-such-page-4242`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(
      /guildkit_http_requests_total\{method="GET",route="\/healthz",status="200",app="test"\} 2/,
    );
    expect(text).toMatch(
      /guildkit_http_requests_total\{method="POST",route="\/admin\/api\/webhooks\/dead\/:eventId\{\[0-9\]\+\}\/redeliver",status="401"/,
    );
    expect(text).toMatch(/guildkit_http_requests_total\{method="GET",route="unmatched",status="404"/);
    expect(text).toMatch(
      /guildkit_http_request_duration_seconds_count\{[^}]*route="\/healthz",status="200"\} 2/,
    );
    expect(text).toMatch(
      /guildkit_http_request_duration_seconds_bucket\{le="\+Inf"[^}]*route="\/healthz"[^}]*\} 2/,
    );
    expect(text).not.toContain("987654321");
    expect(text).not.toContain("no-such-page-4242");
  });
});

describe("the server's OAuth metrics, over HTTP against discord-sim", () => {
  it("count starts by flow and callbacks by flow, result and outcome — refusals by their code", async () => {
    const w = await servedWorld();
    teardowns.push(w.close);
    await w.ctx.store.members.create({ email: "nelly@example.test" });
    const nelly = w.sim.seed.user({ username: "nelly", email: "Nelly@Example.test", verified: true });
    const stranger = w.sim.seed.user({
      username: "stranger",
      email: "stranger@example.test",
      verified: true,
    });
    const login = async (userId: string) => {
      const browser = w.browser();
      const start = await browser.get("/login/discord?next=%2Fme");
      expect(start.status).toBe(302);
      return browser.get(await w.sim.authorize(start.headers.get("location") ?? "", { userId }));
    };
    expect((await login(nelly.id)).status).toBe(303); // an existing member signed in
    expect((await login(stranger.id)).status).toBe(200); // no member: the signup confirmation
    // Forged callbacks: refused by their state, and counted (the event log collapses repeats).
    for (let i = 0; i < 3; i++) {
      expect((await w.browser().get("/login/discord/callback?code=x&state=forged")).status).toBe(400);
    }
    const text = await (await fetch(`${w.base}/metrics`)).text();
    const value = (pattern: string) => {
      const match = text.match(new RegExp(`^${pattern} (\\d+)$`, "m"));
      return match ? Number(match[1]) : null;
    };
    expect(value('guildkit_oauth_starts_total\\{flow="login",app="test"\\}')).toBe(2);
    expect(
      value('guildkit_oauth_callbacks_total\\{flow="login",result="ok",outcome="signed_in",app="test"\\}'),
    ).toBe(1);
    expect(
      value(
        'guildkit_oauth_callbacks_total\\{flow="login",result="pending",outcome="signup_pending",app="test"\\}',
      ),
    ).toBe(1);
    const refusals = text.match(
      /^guildkit_oauth_callbacks_total\{flow="login",result="error",outcome="(\w+)"/m,
    );
    expect(refusals?.[1]).toMatch(/^state_/);
    expect(
      value(
        `guildkit_oauth_callbacks_total\\{flow="login",result="error",outcome="${refusals?.[1]}",app="test"\\}`,
      ),
    ).toBe(3);
    // The HTTP metrics are still there beside them.
    expect(text).toMatch(/guildkit_http_requests_total\{method="GET",route="\/login\/discord",status="302"/);
    expect(text).not.toContain(nelly.id);
  });
});
