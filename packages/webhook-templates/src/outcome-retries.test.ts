import { describe, expect, it } from "vitest";
import { createWebhookDelivery } from "./delivery";
import { createMemoryOutbox } from "./memory-outbox";
import { FIRST_RETRY_MS, MAX_RETRY_MS } from "./outcome-retries";
import type { WebhookSender } from "./ports";

/** A fake clock, a scheduler that moves it by each wait, and a memory outbox with one webhook. */
function setup(options: { failingWrites: number }) {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const clock = { now: () => new Date(now) };
  const sleeps: number[] = [];
  const scheduler = {
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    setTimer: () => {
      throw new Error("delivery sets no timers");
    },
    clear: () => {},
  };
  const outbox = createMemoryOutbox({ clock, scheduler: { ...scheduler, sleep: async () => {} } });
  outbox.addWebhook({
    id: "111",
    url: "https://discord.com/api/webhooks/111/token-111",
    template: "#{id}",
    username: null,
    avatarUrl: null,
    mentionUserColumns: [],
  });
  for (const id of [1, 2]) outbox.enqueue({ webhookId: "111", operation: "INSERT", new: { id } });
  // The database goes away after the claim: the first `failingWrites` outcome writes fail.
  let failing = options.failingWrites;
  const writes: string[] = [];
  const complete = outbox.complete.bind(outbox);
  outbox.complete = async (eventId, owner, completion, io) => {
    writes.push(eventId);
    if (failing-- > 0) throw new Error("Connection terminated unexpectedly");
    return complete(eventId, owner, completion, io);
  };
  const sent: string[] = [];
  let onSend = () => {};
  const sender: WebhookSender = {
    async executeWebhook(input) {
      sent.push(String(input.body.content));
      onSend();
      return { id: String(9000 + sent.length) };
    },
  };
  const delivery = createWebhookDelivery({
    outbox,
    sender,
    clock,
    scheduler,
    owner: "w1",
    leaseMs: 60_000,
  });
  return { outbox, delivery, sleeps, writes, sent, setOnSend: (fn: () => void) => (onSend = fn) };
}

describe("delivery outcomes while the database blinks", () => {
  it("an outcome whose write fails is written again with backoff, so the message is not posted twice and the webhook's next event follows at once", async () => {
    const t = setup({ failingWrites: 3 });
    const report = await t.delivery.deliverOnce();
    expect(report).toMatchObject({ claimed: 2, delivered: 2 });
    expect(t.sent).toEqual(["#1", "#2"]);
    expect(t.sleeps).toEqual([FIRST_RETRY_MS, FIRST_RETRY_MS * 2, FIRST_RETRY_MS * 4]);
    expect(t.writes).toEqual(["1", "1", "1", "1", "2"]);
    expect(t.outbox.events.map((e) => [e.state, e.leaseOwner])).toEqual([
      ["delivered", null],
      ["delivered", null],
    ]);
  });

  it("gives up when the lease would be over: the round fails and the lease's expiry brings the event back", async () => {
    const t = setup({ failingWrites: Number.POSITIVE_INFINITY });
    await expect(t.delivery.deliverOnce()).rejects.toThrow(/Connection terminated/);
    expect(t.sent).toEqual(["#1"]);
    expect(t.sleeps.every((ms) => ms <= MAX_RETRY_MS)).toBe(true);
    expect(t.sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(60_000);
    expect(t.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThan(50_000);
    expect(t.outbox.events[0]).toMatchObject({ state: "pending", leaseOwner: "w1" });
  });

  it("a shutdown during the post stops the retries, yet the outcome in hand is still written once", async () => {
    const stopping = new AbortController();
    const t = setup({ failingWrites: 0 });
    t.setOnSend(() => stopping.abort());
    await t.delivery.deliverOnce({ signal: stopping.signal });
    expect(t.outbox.events[0]).toMatchObject({ state: "delivered" });

    const failing = setup({ failingWrites: 1 });
    const stop = new AbortController();
    failing.setOnSend(() => stop.abort());
    await expect(failing.delivery.deliverOnce({ signal: stop.signal })).rejects.toThrow();
    expect(failing.writes).toEqual(["1"]);
    expect(failing.sleeps).toEqual([]);
  });
});
