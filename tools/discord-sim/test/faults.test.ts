import { afterEach, describe, expect, it } from "vitest";
import { ALICE, CHANNEL, GUILD, readJson, startWorld, UA, type World } from "./helpers";

let w: World;
afterEach(async () => {
  await w.sim.close();
});

const member = () => w.bot(`/guilds/${GUILD}/members/${ALICE}`);

describe("fault injection", () => {
  it("answers 5xx with Discord-like bodies at errorRate 1, and records them as injected", async () => {
    w = await startWorld();
    w.sim.faults.set({ route: "get_member", errorRate: 1 });
    const res = await member();
    expect([500, 502, 503]).toContain(res.status);
    expect(await readJson(res)).toEqual({ message: expect.stringMatching(/^50[023]: /), code: 0 });
    expect(w.sim.inspect.requests({ route: "get_member" })[0]).toMatchObject({ injected: true });
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
    w.sim.faults.clear();
    expect((await member()).status).toBe(200);
  });

  it("picks from errorStatuses", async () => {
    w = await startWorld();
    w.sim.faults.set({ route: "*", errorRate: 1, errorStatuses: [503] });
    expect((await member()).status).toBe(503);
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(503);
  });

  it("is deterministic for a given randomSeed", async () => {
    const run = async () => {
      w = await startWorld({
        randomSeed: 1234,
        routeLimits: { get_member: { limit: 100, windowMs: 1_000 } },
      });
      w.sim.faults.set({ route: "get_member", errorRate: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await member()).status);
      await w.sim.close();
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(first).toEqual(second);
    expect(first.some((s) => s === 200)).toBe(true);
    expect(first.some((s) => s >= 500)).toBe(true);
    w = await startWorld();
  });

  it("adds latency", async () => {
    w = await startWorld();
    w.sim.faults.set({ route: "get_member", latencyMs: 60 });
    const started = performance.now();
    expect((await member()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("drops the connection without an answer", async () => {
    w = await startWorld();
    w.sim.faults.set({ route: "get_member", dropRate: 1 });
    await expect(member()).rejects.toThrow();
    expect(w.sim.inspect.requests({ route: "get_member" })[0]).toMatchObject({ status: 0, injected: true });
    w.sim.faults.clear();
    expect((await member()).status).toBe(200);
  });

  it("forces a number of 429s with the given retry_after, then answers normally", async () => {
    w = await startWorld();
    w.sim.faults.set({ route: "get_member", force429: { count: 2, retryAfterMs: 1_500 } });
    for (let i = 0; i < 2; i++) {
      const res = await member();
      expect(res.status).toBe(429);
      expect(await readJson(res)).toEqual({
        message: "You are being rate limited.",
        retry_after: 1.5,
        global: false,
      });
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.headers.get("x-ratelimit-scope")).toBe("user");
      expect(res.headers.get("x-ratelimit-bucket")).toBeTruthy();
    }
    expect((await member()).status).toBe(200);
    expect(w.sim.inspect.rateLimited().user).toBe(2);
  });

  it("forces global and shared 429s; shared ones are not invalid requests", async () => {
    w = await startWorld();
    w.sim.faults.set({ route: "get_member", force429: { count: 1, retryAfterMs: 100, global: true } });
    const global = await member();
    expect(global.headers.get("x-ratelimit-global")).toBe("true");
    expect((await readJson(global)).global).toBe(true);
    w.sim.faults.set({ route: "get_member", force429: { count: 1, retryAfterMs: 100, scope: "shared" } });
    const shared = await member();
    expect(shared.headers.get("x-ratelimit-scope")).toBe("shared");
    expect((await readJson(shared)).message).toBe("The resource is being rate limited.");
    expect(w.sim.inspect.rateLimited()).toMatchObject({ global: 1, shared: 1, total: 2 });
    expect(w.sim.inspect.invalidRequests()).toBe(1);
  });

  it('applies "*" to webhooks, the CDN and PluralKit too', async () => {
    w = await startWorld();
    const hook = w.sim.seed.webhook({ channelId: CHANNEL });
    w.sim.faults.set({ route: "*", errorRate: 1, errorStatuses: [502] });
    const exec = await w.raw(`/api/v10/webhooks/${hook.id}/${hook.token}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"content":"x"}',
    });
    expect(exec.status).toBe(502);
    expect(w.sim.inspect.messages()).toEqual([]);
    expect((await fetch(`${w.sim.cdnBaseUrl}/embed/avatars/1.png`)).status).toBe(502);
    expect(
      (await fetch(`${w.sim.pluralkitBaseUrl}/messages/1`, { headers: { "User-Agent": UA } })).status,
    ).toBe(502);
  });

  it("rejects an invalid fault", async () => {
    w = await startWorld();
    expect(() => w.sim.faults.set({ route: "get_member", errorRate: 2 })).toThrow(/invalid fault/);
  });
});
