import { describe, expect, it } from "vitest";
import { validateWebhookDefinition } from "./definition";
import { createWebhookDelivery } from "./delivery";
import { assertEmbedLimits, compileEmbed, EMBED_LIMITS, embedSize } from "./embed";
import { EmbedLimitError } from "./errors";
import { createMemoryOutbox } from "./memory-outbox";
import type { WebhookSender } from "./ports";

const row = (n: Record<string, unknown>) => ({ old: null, new: n });

describe("embeds rendered from templates", () => {
  it("renders title, description (the message template by default), url, color and fields", () => {
    const embed = compileEmbed(
      {
        title: "Order {id}",
        url: "https://shop.example/orders/{id}",
        color: 0x57f287,
        fields: [
          { name: "Item", value: "{item}", inline: true },
          { name: "Note", value: "{note}" },
        ],
      },
      "{item} for {buyer}",
      "INSERT",
    );
    expect(embed.render(row({ id: 7, item: "tea", buyer: "ann", note: null }))).toEqual({
      title: "Order 7",
      description: "tea for ann",
      url: "https://shop.example/orders/7",
      color: 0x57f287,
      fields: [
        { name: "Item", value: "tea", inline: true },
        { name: "Note", value: "\u200b" },
      ],
    });
    // A rendered url that is not an http(s) URL is left out.
    expect(compileEmbed({ url: "{u}" }, "x", "INSERT").render(row({ u: "javascript:alert(1)" }))).toEqual({
      description: "x",
    });
  });

  it("cuts every text to Discord's limit and the embed to 6,000 characters in all", () => {
    const big = "é".repeat(10_000);
    const embed = compileEmbed(
      { title: "{v}", fields: Array.from({ length: 25 }, () => ({ name: "{v}", value: "{v}" })) },
      "{v}",
      "INSERT",
    ).render(row({ v: big }));
    expect(embed.title).toHaveLength(EMBED_LIMITS.title);
    expect(embed.title?.endsWith("…")).toBe(true);
    expect(embedSize(embed)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(() => assertEmbedLimits([embed])).not.toThrow();
  });

  it("assertEmbedLimits names the limit a message breaks with EmbedLimitError", () => {
    const err = (() => {
      try {
        assertEmbedLimits([{ description: "ok" }, { title: "t".repeat(257) }]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EmbedLimitError);
    expect(err).toMatchObject({
      name: "EmbedLimitError",
      code: "embed_limit",
      field: "embeds.1.title",
      limit: 256,
      length: 257,
    });
    expect(() => assertEmbedLimits(Array.from({ length: 11 }, () => ({ description: "x" })))).toThrow(
      "embeds is 11 long; Discord allows at most 10",
    );
    expect(() =>
      assertEmbedLimits([{ description: "d".repeat(4096) }, { description: "d".repeat(2000) }]),
    ).toThrow(EmbedLimitError);
  });
});

describe("validateWebhookDefinition: embed and coalesce", () => {
  const base = {
    url: "https://discord.com/api/webhooks/123456789012345678/tok",
    template: "{item}",
    table: "orders",
    operation: "INSERT",
  };
  const columns = [
    { name: "id", type: "INTEGER" },
    { name: "item", type: "TEXT" },
  ];

  it("accepts an embed with coalescing, and names each problem at its path", () => {
    const ok = validateWebhookDefinition(
      { ...base, embed: { title: "#{id}", color: 255 }, coalesce: 10 },
      { columns },
    );
    expect(ok.ok && ok.definition).toMatchObject({ embed: { title: "#{id}", color: 255 }, coalesce: 10 });
    const bad = validateWebhookDefinition(
      {
        ...base,
        embed: {
          title: "x".repeat(300),
          color: 0x1000000,
          fields: [
            { name: "{nope}", value: "v" },
            ...Array.from({ length: 25 }, () => ({ name: "n", value: "v" })),
          ],
        },
        coalesce: 11,
      },
      { columns },
    );
    expect(!bad.ok && bad.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["embed.color", "embed color must be 0x000000 to 0xFFFFFF"],
      ["embed.fields", "an embed has at most 25 fields"],
      ["coalesce", "coalesce must be at most 10 events (Discord's 10 embeds per message)"],
    ]);
    const fixed = validateWebhookDefinition(
      { ...base, embed: { title: "x".repeat(300), fields: [{ name: "{nope}", value: "v" }] } },
      { columns },
    );
    expect(!fixed.ok && fixed.issues.map((i) => [i.path.join("."), i.code])).toEqual([
      ["embed.title", "embed_limit"],
      ["embed.fields.0.name", "unknown_placeholder"],
    ]);
    const alone = validateWebhookDefinition({ ...base, coalesce: 5 }, { columns });
    expect(!alone.ok && alone.issues.map((i) => i.code)).toEqual(["coalesce_needs_embed"]);
  });
});

describe("coalesced bursts", () => {
  const instant = { sleep: async () => {}, setTimer: () => 0, clear: () => {} };
  function burst(coalesce: number | null, description = "#{id} {item}") {
    const clock = { now: () => new Date(Date.UTC(2026, 0, 1)) };
    const outbox = createMemoryOutbox({ clock, scheduler: instant });
    outbox.addWebhook({
      id: "111",
      url: "https://discord.com/api/webhooks/111/tok",
      template: description,
      username: null,
      avatarUrl: null,
      mentionUserColumns: [],
      embed: { title: "order {id}" },
      coalesce,
    });
    const sent: Parameters<WebhookSender["executeWebhook"]>[0][] = [];
    let fail: ((n: number) => Error | null) | null = null;
    const sender: WebhookSender = {
      async executeWebhook(input) {
        sent.push(input);
        const err = fail?.(sent.length) ?? null;
        if (err) throw err;
        return { id: `m${sent.length}` };
      },
    };
    const delivery = createWebhookDelivery({
      outbox,
      sender,
      clock,
      scheduler: instant,
      owner: "w",
      channelBudget: null,
    });
    return { outbox, sent, delivery, failWith: (f: (n: number) => Error | null) => (fail = f) };
  }

  it("a burst of 500 goes out in 50 messages of 10 embeds, in order, each event with its message id", async () => {
    const h = burst(10);
    for (let i = 1; i <= 500; i++)
      h.outbox.enqueue({ webhookId: "111", operation: "INSERT", new: { id: i, item: `i${i}` } });
    for (let r = 0; r < 100 && h.outbox.events.some((e) => e.state === "pending"); r++)
      await h.delivery.deliverOnce();
    expect(h.sent).toHaveLength(50);
    const titles = h.sent.flatMap((s) => (s.body.embeds ?? []).map((e) => e.title));
    expect(titles).toEqual(Array.from({ length: 500 }, (_, i) => `order ${i + 1}`));
    expect(h.sent.every((s) => s.body.content === "" && s.body.embeds?.length === 10)).toBe(true);
    expect(h.outbox.events.slice(0, 10).map((e) => e.messageId)).toEqual(Array(10).fill("m1"));
    expect(h.outbox.events.every((e) => e.state === "delivered")).toBe(true);
  });

  it("without coalesce each event is a message of one embed; a message never passes 6,000 characters", async () => {
    const one = burst(null);
    for (let i = 1; i <= 3; i++)
      one.outbox.enqueue({ webhookId: "111", operation: "INSERT", new: { id: i, item: "x" } });
    await one.delivery.deliverOnce();
    expect(one.sent.map((s) => s.body.embeds?.length)).toEqual([1, 1, 1]);

    const big = burst(10, "{item}");
    for (let i = 1; i <= 10; i++)
      big.outbox.enqueue({ webhookId: "111", operation: "INSERT", new: { id: i, item: "d".repeat(2_500) } });
    await big.delivery.deliverOnce();
    expect(big.sent.map((s) => s.body.embeds?.length)).toEqual([2, 2, 2, 2, 2]);
    for (const s of big.sent) expect(() => assertEmbedLimits(s.body.embeds ?? [])).not.toThrow();
  });

  it("a failed coalesced message retries its first event and gives the others back unattempted", async () => {
    const h = burst(5);
    for (let i = 1; i <= 5; i++)
      h.outbox.enqueue({ webhookId: "111", operation: "INSERT", new: { id: i, item: "x" } });
    h.failWith(() =>
      Object.assign(new Error("502"), { retryable: true, status: 502, code: null, retryAfterMs: null }),
    );
    const report = await h.delivery.deliverOnce();
    expect(report).toMatchObject({ retried: 1, released: 4, delivered: 0 });
    expect(h.outbox.events.map((e) => [e.state, e.attempts])).toEqual([
      ["pending", 1],
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
    ]);
  });
});
