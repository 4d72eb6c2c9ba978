import { afterEach, describe, expect, it } from "vitest";
import { bucketHash } from "../src/index";
import type { DiscordSimOptions, SimWebhook } from "../src/types";
import { CHANNEL, GUILD, readJson, startWorld, THREAD, type World } from "./helpers";

let w: World;
afterEach(async () => {
  await w.sim.close();
});

const OTHER_CHANNEL = "1200000000000000002";

/** A world with three webhooks in CHANNEL and one in OTHER_CHANNEL; per-webhook buckets out of the way. */
async function world(options: DiscordSimOptions = {}) {
  w = await startWorld({
    routeLimits: { execute_webhook: { limit: 1_000, windowMs: 2_000 } },
    globalPerSecond: 10_000,
    ...options,
  });
  w.sim.seed.channel({ id: OTHER_CHANNEL, guildId: GUILD, name: "other" });
  const hooks = [1, 2, 3].map((i) => w.sim.seed.webhook({ channelId: CHANNEL, name: `hook ${i}` }));
  const elsewhere = w.sim.seed.webhook({ channelId: OTHER_CHANNEL, name: "elsewhere" });
  return { hooks, elsewhere };
}

const post = (hook: SimWebhook, query = "") =>
  w.raw(`/api/v10/webhooks/${hook.id}/${hook.token}${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ content: "hello" }),
  });

describe("the hidden per-channel message limit (resourceLimits.channel_messages)", () => {
  it("lets every webhook of a channel share 30 messages per 60 s; the 31st gets a shared 429 with code 20028", async () => {
    const { hooks } = await world();
    for (let i = 0; i < 30; i++) {
      const hook = hooks[i % 3] as SimWebhook;
      expect((await post(hook)).status, `message ${i + 1}`).toBe(204);
    }
    w.clock.advance(15_000);
    const res = await post(hooks[0] as SimWebhook);
    expect(res.status).toBe(429);
    expect(await readJson(res)).toEqual({
      message: "The write action you are performing on the channel has hit the write rate limit.",
      retry_after: 45,
      global: false,
      code: 20028,
    });
    expect(res.headers.get("x-ratelimit-scope")).toBe("shared");
    expect(res.headers.get("retry-after")).toBe("45");
    expect(res.headers.get("x-ratelimit-global")).toBeNull();
    // The webhook's own bucket headers come along as they stand: this webhook still has room.
    expect(res.headers.get("x-ratelimit-bucket")).toBe(bucketHash("execute_webhook"));
    expect(Number(res.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(0);
    expect(w.sim.inspect.messages()).toHaveLength(30);
  });

  it("does not count shared 429s as invalid requests, and counts them under rateLimited().shared", async () => {
    const { hooks } = await world({ resourceLimits: { channel_messages: { limit: 2, windowMs: 60_000 } } });
    const hook = hooks[0] as SimWebhook;
    await post(hook);
    await post(hook);
    expect((await post(hook)).status).toBe(429);
    expect(w.sim.inspect.invalidRequests()).toBe(0);
    expect(w.sim.inspect.rateLimited()).toMatchObject({ total: 1, shared: 1, user: 0 });
    expect(w.sim.inspect.requests({ route: "execute_webhook" }).at(-1)).toMatchObject({
      status: 429,
      scope: "shared",
    });
  });

  it("keeps channels apart (a thread is a channel of its own) and refills when the window ends", async () => {
    const { hooks, elsewhere } = await world({
      resourceLimits: { channel_messages: { limit: 2, windowMs: 60_000 } },
    });
    const [a, b] = hooks as [SimWebhook, SimWebhook];
    expect((await post(a)).status).toBe(204);
    expect((await post(b)).status).toBe(204);
    expect((await post(b)).status).toBe(429);
    expect((await post(elsewhere)).status).toBe(204);
    expect((await post(a, `?thread_id=${THREAD}`)).status).toBe(204);
    w.clock.advance(60_000);
    expect((await post(b)).status).toBe(204);
  });

  it("counts only messages the channel received: a refused body takes nothing from the channel", async () => {
    const { hooks } = await world({ resourceLimits: { channel_messages: { limit: 1, windowMs: 60_000 } } });
    const hook = hooks[0] as SimWebhook;
    const empty = await w.raw(`/api/v10/webhooks/${hook.id}/${hook.token}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(empty.status).toBe(400);
    expect((await post(hook)).status).toBe(204);
  });

  it("is off with resourceLimits.channel_messages: null", async () => {
    const { hooks } = await world({ resourceLimits: { channel_messages: null } });
    for (let i = 0; i < 40; i++) expect((await post(hooks[0] as SimWebhook)).status).toBe(204);
  });
});

describe("GET /webhooks/{id}/{token}", () => {
  it("returns the webhook with channel_id, guild_id and token, and no user; several webhooks share a channel", async () => {
    const { hooks } = await world();
    const own = w.sim.seed.webhook({ channelId: CHANNEL, name: "guildkit", applicationId: w.app.clientId });
    for (const hook of [...hooks, own]) {
      const res = await w.raw(`/api/v10/webhooks/${hook.id}/${hook.token}`);
      expect(res.status).toBe(200);
      const body = await readJson(res);
      expect(body).toMatchObject({
        id: hook.id,
        type: 1,
        channel_id: CHANNEL,
        guild_id: GUILD,
        name: hook.name,
        token: hook.token,
        application_id: hook.applicationId,
      });
      expect(body).not.toHaveProperty("user");
    }
    const listed: { id: string }[] = await readJson(w.bot(`/channels/${CHANNEL}/webhooks`));
    expect(listed.map((h) => h.id).sort()).toEqual([...hooks, own].map((h) => h.id).sort());
  });

  it("answers 401 50027 for a wrong token and 404 10015 for an unknown webhook", async () => {
    const { hooks } = await world();
    const hook = hooks[0] as SimWebhook;
    const wrong = await w.raw(`/api/v10/webhooks/${hook.id}/nope`);
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong)).toEqual({ message: "Invalid Webhook Token", code: 50027 });
    const unknown = await w.raw("/api/v10/webhooks/123/nope");
    expect(await readJson(unknown)).toEqual({ message: "Unknown Webhook", code: 10015 });
  });
});
