import { beforeEach, describe, expect, it } from "vitest";
import { createWebhookDelivery, type WebhookDeliveryOptions } from "./delivery";
import { createMemoryOutbox, type MemoryOutbox } from "./memory-outbox";
import type { EventLogEntry, WebhookSender } from "./ports";

const URL = (id: string) => `https://discord.com/api/webhooks/${id}/token-${id}`;

type SendInput = Parameters<WebhookSender["executeWebhook"]>[0];

function fakeClock(start = "2026-01-01T00:00:00Z") {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A scheduler that never really waits (tests drive time through the clock). */
// Sleeps return at once; delivery uses no timers (a call would fail the test).
const instantScheduler = {
  sleep: async () => {},
  setTimer: () => {
    throw new Error("delivery sets no timers");
  },
  clear: () => {},
};

interface Harness {
  outbox: MemoryOutbox;
  clock: ReturnType<typeof fakeClock>;
  sent: SendInput[];
  logs: EventLogEntry[];
  respond: (fn: (input: SendInput) => Promise<{ id: string }>) => void;
  delivery: (extra?: Partial<WebhookDeliveryOptions>) => ReturnType<typeof createWebhookDelivery>;
}

function harness(): Harness {
  const clock = fakeClock();
  const outbox = createMemoryOutbox({ clock, scheduler: instantScheduler });
  const sent: SendInput[] = [];
  const logs: EventLogEntry[] = [];
  let responder = async (_input: SendInput) => ({ id: String(1000 + sent.length) });
  const sender: WebhookSender = {
    async executeWebhook(input) {
      sent.push(input);
      return responder(input);
    },
  };
  for (const id of ["111", "222"]) {
    outbox.addWebhook({
      id,
      url: URL(id),
      template: "#{id} {name}",
      username: "Bot",
      avatarUrl: null,
      mentionUserColumns: [],
    });
  }
  return {
    outbox,
    clock,
    sent,
    logs,
    respond: (fn) => {
      responder = fn;
    },
    delivery: (extra = {}) =>
      createWebhookDelivery({
        outbox,
        sender,
        clock,
        scheduler: instantScheduler,
        log: { append: async (e) => void logs.push(e) },
        owner: "w1",
        ...extra,
      }),
  };
}

const apiError = (status: number, code: number | null, discordMessage: string, extra: object = {}) =>
  Object.assign(new Error(`Discord ${status}: ${discordMessage}`), {
    name: status === 429 ? "DiscordRateLimitError" : "DiscordApiError",
    retryable: status === 429 || status >= 500,
    status,
    code,
    discordMessage,
    retryAfterMs: null,
    ...extra,
  });

let h: Harness;
beforeEach(() => {
  h = harness();
});

const insert = (webhookId: string, id: number, name = `n${id}`) =>
  h.outbox.enqueue({ webhookId, operation: "INSERT", new: { id, name } });

describe("createWebhookDelivery", () => {
  it("delivers each webhook's events in order, renders them, and stores the message ids", async () => {
    for (let i = 1; i <= 3; i++) insert("111", i);
    insert("222", 9);
    const report = await h.delivery().deliverOnce();
    expect(report).toMatchObject({ claimed: 4, delivered: 4, retried: 0, dead: 0 });
    const to111 = h.sent.filter((s) => s.webhookId === "111").map((s) => s.body.content);
    expect(to111).toEqual(["#1 n1", "#2 n2", "#3 n3"]);
    expect(h.sent[0]).toMatchObject({
      webhookToken: "token-111",
      wait: true,
      threadId: null,
      body: { username: "Bot", allowed_mentions: { parse: [] } },
    });
    expect(h.outbox.events.every((e) => e.state === "delivered" && e.messageId !== null)).toBe(true);
  });

  it("a failing event holds back the later events of its webhook only, then they follow in order", async () => {
    insert("111", 1);
    insert("111", 2);
    insert("222", 3);
    let fail = true;
    h.respond(async (input) => {
      if (input.webhookId === "111" && fail) throw apiError(502, null, "Bad Gateway");
      return { id: "m" };
    });
    const first = await h.delivery().deliverOnce();
    expect(first).toMatchObject({ delivered: 1, retried: 1, released: 1 });
    const [e1, e2] = h.outbox.events;
    expect(e1).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "Discord answered 502: Discord 502: Bad Gateway",
    });
    expect(e1?.nextAttemptAt?.getTime()).toBe(h.clock.now().getTime() + 5_000);
    expect(e2).toMatchObject({ state: "pending", leaseOwner: null });

    // Not due yet: nothing for webhook 111 may start (event 2 must not overtake event 1).
    expect((await h.delivery().deliverOnce()).claimed).toBe(0);
    h.clock.advance(5_000);
    fail = false;
    await h.delivery().deliverOnce();
    expect(h.sent.filter((s) => s.webhookId === "111").map((s) => s.body.content)).toEqual([
      "#1 n1",
      "#1 n1",
      "#2 n2",
    ]);
    expect(h.outbox.events.map((e) => e.state)).toEqual(["delivered", "delivered", "delivered"]);
  });

  it("honours 429 retry_after without consuming an attempt", async () => {
    insert("111", 1);
    h.respond(async () => {
      throw apiError(429, null, "You are being rate limited.", { retryAfterMs: 1500 });
    });
    await h.delivery().deliverOnce();
    const [e] = h.outbox.events;
    expect(e).toMatchObject({ state: "pending", attempts: 0 });
    expect(e?.nextAttemptAt?.getTime()).toBe(h.clock.now().getTime() + 1500);
    expect(h.logs).toEqual([]);
  });

  it("disables the webhook on 404 and dead-letters all its pending events", async () => {
    insert("111", 1);
    insert("111", 2);
    insert("222", 3);
    h.respond(async (input) => {
      if (input.webhookId === "111") throw apiError(404, 10015, "Unknown Webhook");
      return { id: "ok" };
    });
    const report = await h.delivery().deliverOnce();
    expect(report).toMatchObject({ disabledWebhooks: 1, dead: 2, delivered: 1 });
    expect(h.sent.filter((s) => s.webhookId === "111")).toHaveLength(1);
    const webhook = h.outbox.webhooks.get("111");
    expect(webhook?.enabled).toBe(false);
    expect(webhook?.disabledReason).toContain("404 / 10015");
    expect(h.outbox.events.map((e) => e.state)).toEqual(["dead", "dead", "delivered"]);
    expect(h.outbox.events[1]?.deadReason).toContain("webhook was deleted");
    expect(h.logs.map((l) => l.kind)).toEqual(["webhook.disabled", "webhook.events_dead"]);
    expect(h.logs[1]).toMatchObject({ level: "error", data: { webhookId: "111", count: 2 } });
    expect(JSON.stringify(h.logs)).not.toContain("token-111");
    // New data changes no longer reach a disabled webhook.
    expect(insert("111", 4)).toBeNull();
  });

  it("dead-letters a 400 with Discord's message and carries on with the next event", async () => {
    insert("111", 1);
    insert("111", 2);
    h.respond(async (input) => {
      if (input.body.content === "#1 n1") throw apiError(400, 50035, "Invalid Form Body");
      return { id: "ok" };
    });
    await h.delivery().deliverOnce();
    expect(h.outbox.events.map((e) => [e.state, e.deadReason])).toEqual([
      ["dead", "Discord refused the message (400 / 50035): Discord 400: Invalid Form Body"],
      ["delivered", null],
    ]);
    expect(h.logs.map((l) => [l.kind, l.level])).toEqual([
      ["webhook.dead", "error"],
      ["webhook.events_dead", "error"],
    ]);
  });

  it("flags a timeout as a possible duplicate and reports it when the retry delivers", async () => {
    insert("111", 1);
    let calls = 0;
    h.respond(async () => {
      calls++;
      if (calls === 1)
        throw Object.assign(new Error("no answer in 15000 ms"), {
          name: "TimeoutError",
          retryable: true,
          timeoutMs: 15000,
        });
      return { id: "m2" };
    });
    await h.delivery().deliverOnce();
    expect(h.outbox.events[0]).toMatchObject({ state: "pending", possibleDuplicate: true, attempts: 1 });
    expect(h.logs.map((l) => l.kind)).toEqual(["webhook.possible_duplicate"]);
    h.clock.advance(5_000);
    await h.delivery().deliverOnce();
    expect(h.outbox.events[0]).toMatchObject({
      state: "delivered",
      possibleDuplicate: true,
      messageId: "m2",
    });
    expect(h.logs.map((l) => l.kind)).toEqual(["webhook.possible_duplicate", "webhook.possible_duplicate"]);
  });

  it("gives up after the last scheduled attempt", async () => {
    insert("111", 1);
    h.respond(async () => {
      throw apiError(500, null, "Internal Server Error");
    });
    const schedule = [0, 5e3, 3e5, 1.8e6, 7.2e6, 1.8e7, 3.6e7, 3.6e7];
    for (const wait of schedule) {
      h.clock.advance(wait);
      await h.delivery().deliverOnce();
    }
    expect(h.sent).toHaveLength(8);
    expect(h.outbox.events[0]).toMatchObject({ state: "dead", attempts: 7 });
    expect(h.outbox.events[0]?.deadReason).toMatch(/^gave up after 8 attempts/);
    h.clock.advance(1e9);
    expect((await h.delivery().deliverOnce()).claimed).toBe(0);
  });

  it("another worker takes over events whose lease expired (a crashed worker)", async () => {
    insert("111", 1);
    const crashed = await h.outbox.claim({
      owner: "dead-worker",
      leaseMs: 60_000,
      limit: 10,
      perWebhook: 10,
      now: h.clock.now(),
    });
    expect(crashed).toHaveLength(1);
    expect((await h.delivery().deliverOnce()).claimed).toBe(0);
    h.clock.advance(60_000);
    await h.delivery().deliverOnce();
    expect(h.outbox.events[0]).toMatchObject({ state: "delivered" });
  });

  it("does not send empty messages", async () => {
    h.outbox.addWebhook({
      id: "333",
      url: URL("333"),
      template: "{name}",
      username: null,
      avatarUrl: null,
      mentionUserColumns: [],
    });
    h.outbox.enqueue({ webhookId: "333", operation: "INSERT", new: { name: null } });
    await h.delivery().deliverOnce();
    expect(h.sent).toHaveLength(0);
    expect(h.outbox.events[0]?.deadReason).toContain("empty message");
  });

  it("renders from the stored row data with the event's operation", async () => {
    h.outbox.addWebhook({
      id: "444",
      url: `${URL("444")}?thread_id=123456789012345678`,
      template: "{old.name} → {new.name} <@{uid}>",
      username: null,
      avatarUrl: "https://example.com/a.png",
      mentionUserColumns: ["uid"],
    });
    h.outbox.enqueue({
      webhookId: "444",
      operation: "UPDATE",
      old: { name: "a", uid: 80351110224678912n },
      new: { name: "b", uid: 80351110224678912n },
    });
    await h.delivery().deliverOnce();
    expect(h.sent[0]).toMatchObject({
      threadId: "123456789012345678",
      body: {
        content: "a → b <@80351110224678912>",
        avatar_url: "https://example.com/a.png",
        allowed_mentions: { parse: [], users: ["80351110224678912"] },
      },
    });
  });

  it("stops a webhook's batch before its lease runs short", async () => {
    for (let i = 1; i <= 3; i++) insert("111", i);
    h.respond(async () => {
      h.clock.advance(50_000);
      return { id: "slow" };
    });
    const report = await h.delivery({ leaseMs: 120_000 }).deliverOnce();
    expect(report).toMatchObject({ delivered: 2, released: 1 });
  });

  it("run() delivers until aborted, waiting for new events in between", async () => {
    const controller = new AbortController();
    h.respond(async () => {
      controller.abort();
      return { id: "m" };
    });
    const delivery = h.delivery({ idleWaitMs: 10 });
    const running = delivery.run({ signal: controller.signal });
    insert("111", 1);
    await running;
    expect(h.outbox.events[0]?.state).toBe("delivered");
  });

  it("keeps going when the event log fails", async () => {
    insert("111", 1);
    h.respond(async () => {
      throw apiError(400, 50035, "bad");
    });
    const delivery = h.delivery({ log: { append: async () => Promise.reject(new Error("log down")) } });
    await expect(delivery.deliverOnce()).resolves.toMatchObject({ dead: 1 });
  });
});
