import { parseRowJson, type WebhookOutbox } from "@guildkit/webhook-templates";
import { expect, it } from "vitest";

/** An outbox row as the kit reads it back, straight from the storage. */
export interface OutboxRow {
  id: string;
  webhookId: string;
  state: "pending" | "delivered" | "dead";
  attempts: number;
  leaseOwner: string | null;
  messageId: string | null;
  possibleDuplicate: boolean;
  lastError: string | null;
  deadReason: string | null;
}

/** One implementation of `WebhookOutbox` under test, with the writes a trigger makes and a backdoor. */
export interface WebhookOutboxSubject {
  outbox: WebhookOutbox;
  /** Defines an enabled webhook (template `{n}`, URL of Discord's form); returns its id. */
  addWebhook(): Promise<string>;
  /** A data change the webhook watches, with row `{ n }`: the outbox gets an INSERT event (if enabled). */
  change(webhookId: string, n: number): Promise<void>;
  /** Every outbox row in id order, read directly — a query on the table, a look into the array. */
  rows(): Promise<OutboxRow[]>;
  /** The webhook's stored status, read directly; `null` when there is none. */
  webhook(id: string): Promise<{ enabled: boolean; disabledReason: string | null } | null>;
}

const T0 = new Date("2026-11-23T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

/**
 * The conformance cases of the `WebhookOutbox` port of `@guildkit/webhook-templates`, registered with
 * vitest's `it` in the current `describe`. Every implementation runs them — the SQL stores through
 * the store conformance suite (`webhooks` feature), `createMemoryOutbox` from
 * `tools/store-testkit/test/` — and each write is read back through `rows`/`webhook`, not only
 * through the port. `fresh` gives a new, empty subject per test.
 */
export function defineWebhookOutboxCases(fresh: () => Promise<WebhookOutboxSubject>): void {
  const claim = (s: WebhookOutboxSubject, owner: string, now: Date, perWebhook = 2, limit = 10) =>
    s.outbox.claim({ owner, leaseMs: LEASE, limit, perWebhook, now });
  const n = (e: { newRowJson: string | null }) => Number(parseRowJson(e.newRowJson)?.n);

  it("claim leases each webhook's oldest events in id order, up to perWebhook, with the event and its webhook", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    const b = await s.addWebhook();
    for (const i of [1, 2, 3]) {
      await s.change(a, i);
      await s.change(b, i);
    }
    const claimed = await claim(s, "w1", T0);
    // In id order within each webhook (delivery sends each webhook's run one after another).
    const byWebhook = [...claimed].sort((x, y) => Number(x.webhookId) - Number(y.webhookId));
    expect(byWebhook.map((e) => [e.webhookId, n(e)])).toEqual([
      [a, 1],
      [a, 2],
      [b, 1],
      [b, 2],
    ]);
    expect(claimed[0]).toMatchObject({ operation: "INSERT", oldRowJson: null, attempts: 0 });
    expect(claimed[0]?.possibleDuplicate).toBe(false);
    expect(claimed[0]?.webhook).toMatchObject({ id: a, template: "{n}" });
    const rows = await s.rows();
    expect(rows.filter((r) => r.leaseOwner === "w1").map((r) => r.id)).toEqual(
      [...claimed.map((e) => e.id)].sort((x, y) => Number(x) - Number(y)),
    );
    expect(rows.every((r) => r.state === "pending")).toBe(true);
  });

  it("nothing of a webhook is claimable while its head is leased; an expired lease is claimable again", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    for (const i of [1, 2, 3]) await s.change(a, i);
    expect(await claim(s, "w1", T0, 1)).toHaveLength(1);
    expect(await claim(s, "w2", at(1_000), 5)).toEqual([]);
    const again = await claim(s, "w2", at(LEASE), 5);
    expect(again.map(n)).toEqual([1, 2, 3]);
    expect((await s.rows()).map((r) => r.leaseOwner)).toEqual(["w2", "w2", "w2"]);
  });

  it("limit bounds a claim across webhooks, oldest head first", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    const b = await s.addWebhook();
    await s.change(b, 1);
    await s.change(a, 1);
    await s.change(a, 2);
    const claimed = await claim(s, "w1", T0, 5, 2);
    expect(claimed.map((e) => [e.webhookId, n(e)])).toEqual([
      [b, 1],
      [a, 1],
    ]);
  });

  it("complete records a delivery (from any worker while pending) and applies only once", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    await s.change(a, 1);
    const [event] = await claim(s, "w1", T0);
    const done = { state: "delivered", messageId: "m1", at: T0, possibleDuplicate: false } as const;
    expect(await s.outbox.complete(event?.id as string, "w2", done)).toBe(true);
    expect(await s.outbox.complete(event?.id as string, "w1", done)).toBe(false);
    expect((await s.rows())[0]).toMatchObject({ state: "delivered", messageId: "m1", leaseOwner: null });
  });

  it("a retry counts an attempt when told, keeps the error, holds the webhook back until due, and sticks a possible duplicate", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    await s.change(a, 1);
    await s.change(a, 2);
    const [first] = await claim(s, "w1", T0, 1);
    const retry = (countsAsAttempt: boolean, possibleDuplicate: boolean, nextAttemptAt: Date) =>
      ({ state: "retry", nextAttemptAt, countsAsAttempt, error: "502", possibleDuplicate }) as const;
    expect(await s.outbox.complete(first?.id as string, "w2", retry(true, false, at(5_000)))).toBe(false);
    expect(await s.outbox.complete(first?.id as string, "w1", retry(true, true, at(5_000)))).toBe(true);
    expect((await s.rows())[0]).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "502",
      leaseOwner: null,
      possibleDuplicate: true,
    });
    expect(await claim(s, "w1", at(4_999), 5)).toEqual([]);
    const [again] = await claim(s, "w1", at(5_000), 1);
    expect(again).toMatchObject({ id: first?.id, attempts: 1, possibleDuplicate: true });
    expect(await s.outbox.complete(again?.id as string, "w1", retry(false, false, at(6_000)))).toBe(true);
    expect((await s.rows())[0]).toMatchObject({ attempts: 1, possibleDuplicate: true });
  });

  it("dead records the reason and needs the lease; release gives back only the owner's leases", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    await s.change(a, 1);
    await s.change(a, 2);
    const [first, second] = await claim(s, "w1", T0);
    const dead = { state: "dead", reason: "400", at: T0, possibleDuplicate: false } as const;
    expect(await s.outbox.complete(first?.id as string, "w2", dead)).toBe(false);
    expect(await s.outbox.complete(first?.id as string, "w1", dead)).toBe(true);
    await s.outbox.release([second?.id as string], "w2");
    expect((await s.rows())[1]?.leaseOwner).toBe("w1");
    await s.outbox.release([second?.id as string], "w1");
    expect((await s.rows()).map((r) => [r.state, r.deadReason, r.leaseOwner])).toEqual([
      ["dead", "400", null],
      ["pending", null, null],
    ]);
    expect((await claim(s, "w2", at(1))).map(n)).toEqual([2]);
  });

  it("disableWebhook disables it, dead-letters its pending events with the reason, and its later changes write nothing", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    const b = await s.addWebhook();
    await s.change(a, 1);
    await s.change(a, 2);
    await s.change(b, 1);
    expect(await s.outbox.disableWebhook(a, "Discord answered 404")).toBe(2);
    expect(await s.webhook(a)).toEqual({ enabled: false, disabledReason: "Discord answered 404" });
    expect(await s.webhook(b)).toMatchObject({ enabled: true });
    await s.change(a, 3);
    expect((await s.rows()).map((r) => [r.webhookId, r.state, r.deadReason])).toEqual([
      [a, "dead", "Discord answered 404"],
      [a, "dead", "Discord answered 404"],
      [b, "pending", null],
    ]);
    expect((await claim(s, "w1", T0)).map((e) => e.webhookId)).toEqual([b]);
  });

  it("waitForEvents returns before its timeout when an event is due, and at its timeout when none is", async () => {
    const s = await fresh();
    const a = await s.addWebhook();
    await s.outbox.waitForEvents({ timeoutMs: 20 });
    await s.change(a, 1);
    const started = Date.now();
    await s.outbox.waitForEvents({ timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    const stop = new AbortController();
    stop.abort();
    await s.outbox.waitForEvents({ timeoutMs: 60_000 }, { signal: stop.signal });
  });
}
