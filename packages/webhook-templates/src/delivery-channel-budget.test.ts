import { describe, expect, it } from "vitest";
import { createChannelBudget } from "./channel-budget";
import { createWebhookDelivery } from "./delivery";
import { createMemoryOutbox } from "./memory-outbox";
import type { WebhookSender } from "./ports";
import type { WebhookChannelLookup } from "./webhook-channels";

type SendInput = Parameters<WebhookSender["executeWebhook"]>[0];

const instantScheduler = {
  sleep: async () => {},
  setTimer: () => {
    throw new Error("delivery sets no timers");
  },
  clear: () => {},
};

/** Three webhooks in channel 900 and one in 901; a lookup that says so, counting its calls. */
function harness(opts: { lookupFails?: (webhookId: string) => Error | null } = {}) {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => new Date(now) };
  const outbox = createMemoryOutbox({ clock, scheduler: instantScheduler });
  const channelOf: Record<string, string> = { "111": "900", "222": "900", "333": "900", "444": "901" };
  for (const id of Object.keys(channelOf)) {
    outbox.addWebhook({
      id,
      url: `https://discord.com/api/webhooks/${id}/token-${id}`,
      template: "{id}",
      username: null,
      avatarUrl: null,
      mentionUserColumns: [],
    });
  }
  const sent: (SendInput & { at: number })[] = [];
  const sender: WebhookSender = {
    async executeWebhook(input) {
      sent.push({ ...input, at: now });
      return { id: `m${sent.length}` };
    },
  };
  const lookups: string[] = [];
  const channelLookup: WebhookChannelLookup = {
    async getWebhookWithToken({ webhookId }) {
      lookups.push(webhookId);
      const err = opts.lookupFails?.(webhookId) ?? null;
      if (err) throw err;
      return { channel_id: channelOf[webhookId] ?? null };
    },
  };
  const delivery = createWebhookDelivery({
    outbox,
    sender,
    clock,
    scheduler: instantScheduler,
    owner: "w1",
    channelLookup,
    channelBudget: createChannelBudget({ limit: 30, windowMs: 60_000, marginMs: 0 }),
  });
  const insert = (webhookId: string, id: number) =>
    outbox.enqueue({ webhookId, operation: "INSERT", new: { id } });
  /** Rounds until nothing is pending, moving the clock 1 s on whenever a round sent nothing. */
  const drain = async () => {
    for (let i = 0; i < 1_000 && outbox.events.some((e) => e.state === "pending"); i++) {
      const r = await delivery.deliverOnce();
      if (r.delivered === 0) now += 1_000;
    }
  };
  return { outbox, sent, lookups, insert, drain, delivery, advance: (ms: number) => (now += ms) };
}

/** The most sends of `sent` in any window [t, t + windowMs). */
function peak(times: number[], windowMs: number): number {
  let best = 0;
  let left = 0;
  for (let right = 0; right < times.length; right++) {
    while ((times[right] as number) - (times[left] as number) >= windowMs) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

describe("delivery shares each channel's message budget among its webhooks", () => {
  it("three webhooks in one channel send at most 30 per 60 s together, each in order; another channel is not held", async () => {
    const h = harness();
    for (let i = 1; i <= 40; i++) for (const hook of ["111", "222", "333"]) h.insert(hook, i);
    for (let i = 1; i <= 10; i++) h.insert("444", i);
    const first = await h.delivery.deliverOnce();
    expect(first).toMatchObject({ delivered: 30 + 10, held: 0 });
    // The channel's 30 are spent: each webhook's head waits, unattempted, and its run is given back.
    expect(await h.delivery.deliverOnce()).toMatchObject({ delivered: 0, held: 3, released: 27 });
    await h.drain();
    const inChannel = h.sent.filter((s) => s.webhookId !== "444");
    expect(inChannel).toHaveLength(120);
    expect(
      peak(
        inChannel.map((s) => s.at),
        60_000,
      ),
    ).toBe(30);
    for (const hook of ["111", "222", "333"]) {
      const contents = h.sent.filter((s) => s.webhookId === hook).map((s) => s.body.content);
      expect(contents).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 1)));
    }
    // A held event was never attempted.
    expect(h.outbox.events.every((e) => e.state === "delivered" && e.attempts === 0)).toBe(true);
    // Each webhook's channel was looked up once.
    expect([...h.lookups].sort()).toEqual(["111", "222", "333", "444"]);
  });

  it("a webhook whose lookup answers 404 Unknown Webhook is disabled without a post", async () => {
    const gone = Object.assign(new Error("Unknown Webhook"), {
      retryable: false,
      status: 404,
      code: 10015,
      retryAfterMs: null,
    });
    const h = harness({ lookupFails: (id) => (id === "222" ? gone : null) });
    h.insert("111", 1);
    h.insert("222", 1);
    const report = await h.delivery.deliverOnce();
    expect(report).toMatchObject({ delivered: 1, disabledWebhooks: 1 });
    expect(h.sent.map((s) => s.webhookId)).toEqual(["111"]);
    expect(h.outbox.webhooks.get("222")?.enabled).toBe(false);
  });

  it("a lookup that fails otherwise counts the webhook as a channel of its own and is tried again a minute later", async () => {
    let failing = true;
    const h = harness({
      lookupFails: () =>
        failing ? Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) : null,
    });
    h.insert("111", 1);
    expect((await h.delivery.deliverOnce()).delivered).toBe(1);
    failing = false;
    h.insert("111", 2);
    await h.delivery.deliverOnce();
    expect(h.lookups).toEqual(["111"]);
    h.advance(60_000);
    h.insert("111", 3);
    await h.delivery.deliverOnce();
    expect(h.lookups).toEqual(["111", "111"]);
    expect(h.sent).toHaveLength(3);
  });
});
