import type { RoleConnectionItem, RoleConnectionQueue } from "@guildkit/role-reconciler";
import { expect, it } from "vitest";

/** A row as the backdoor reads it (straight from the table or the memory rows). */
export interface RoleConnectionRowView {
  desired: string | null;
  pushed: string | null;
  state: string | null;
  attempts: number;
  nextDueAt: Date | null;
  pushedAt: Date | null;
  version: number;
  leaseOwner: string | null;
}

/** What the role connection queue cases run against: the port, plus a backdoor read of one row. */
export interface RoleConnectionQueueSubject {
  queue: RoleConnectionQueue;
  row(memberId: string): Promise<RoleConnectionRowView | null>;
}

const D1 = "100000000000000001";
const D2 = "100000000000000002";
const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const PAYING = { paying: "1", tier: "3" };

async function claimOne(queue: RoleConnectionQueue, owner = "w1", now = T0): Promise<RoleConnectionItem> {
  const [item] = await queue.claimDue({ owner, leaseMs: 60_000, limit: 10, now });
  if (!item) throw new Error("nothing was claimable");
  return item;
}

/**
 * The conformance cases of the `RoleConnectionQueue` port of `@guildkit/role-reconciler` (Linked
 * Roles), registered with vitest's `it` in the current `describe`: the SQL stores on both databases
 * and the memory fake run them; writes are read back through the backdoor.
 */
export function defineRoleConnectionQueueCases(fresh: () => Promise<RoleConnectionQueueSubject>): void {
  it("records desired values as canonical JSON; only changed members become due and get a new version", async () => {
    const { queue, row } = await fresh();
    const entries = [
      { memberId: "1", discordUserId: D1, desired: { tier: "3", paying: "1" } },
      { memberId: "2", discordUserId: D2, desired: null },
    ];
    expect(await queue.setDesired({ entries, now: T0 })).toBe(1);
    expect(await row("2")).toBeNull();
    expect(await row("1")).toMatchObject({
      desired: '{"paying":"1","tier":"3"}',
      pushed: null,
      state: null,
      version: 1,
      nextDueAt: T0,
    });
    expect(await queue.setDesired({ entries: [{ ...entries[0]!, desired: PAYING }], now: at(1_000) })).toBe(
      0,
    );
    expect(await queue.setDesired({ entries: [{ ...entries[0]!, desired: null }], now: at(2_000) })).toBe(1);
    expect(await row("1")).toMatchObject({ desired: null, version: 2, nextDueAt: at(2_000) });
    expect(await queue.get({ memberId: "1" })).toMatchObject({
      memberId: "1",
      discordUserId: D1,
      desired: null,
    });
    expect(await queue.get({ memberId: "9" })).toBeNull();
  });

  it("a claimed member is not claimable by another worker until its lease expires", async () => {
    const { queue, row } = await fresh();
    await queue.setDesired({ entries: [{ memberId: "1", discordUserId: D1, desired: PAYING }], now: T0 });
    const item = await claimOne(queue, "w1");
    expect(item).toMatchObject({ memberId: "1", desired: PAYING, version: 1, leaseOwner: "w1" });
    expect(await queue.claimDue({ owner: "w2", leaseMs: 60_000, limit: 10, now: at(59_000) })).toEqual([]);
    expect((await row("1"))?.leaseOwner).toBe("w1");
    const again = await claimOne(queue, "w2", at(60_000));
    expect(again.leaseOwner).toBe("w2");
    // the first owner lost its lease: nothing it records is written
    expect(
      await queue.complete(item, {
        state: "synced",
        pushed: PAYING,
        pushedAt: T0,
        nextDueAt: null,
        attempts: 0,
        lastError: null,
      }),
    ).toBe(false);
    expect(await row("1")).toMatchObject({ pushed: null, state: null, leaseOwner: "w2" });
  });

  it("completing records the push and frees the lease; the member is due no more", async () => {
    const { queue, row } = await fresh();
    await queue.setDesired({ entries: [{ memberId: "1", discordUserId: D1, desired: PAYING }], now: T0 });
    const item = await claimOne(queue);
    expect(
      await queue.complete(item, {
        state: "synced",
        pushed: PAYING,
        pushedAt: at(5),
        nextDueAt: null,
        attempts: 0,
        lastError: null,
      }),
    ).toBe(true);
    expect(await row("1")).toMatchObject({
      pushed: '{"paying":"1","tier":"3"}',
      pushedAt: at(5),
      state: "synced",
      nextDueAt: null,
      leaseOwner: null,
    });
    expect(await queue.countDue({ now: at(86_400_000) })).toBe(0);
    expect(await queue.countByState()).toEqual({ synced: 1 });
  });

  it("a change recorded during the lease keeps the member due whatever the completion says", async () => {
    const { queue, row } = await fresh();
    await queue.setDesired({ entries: [{ memberId: "1", discordUserId: D1, desired: PAYING }], now: T0 });
    const item = await claimOne(queue);
    await queue.setDesired({ entries: [{ memberId: "1", discordUserId: D1, desired: null }], now: at(10) });
    await queue.complete(item, {
      state: "synced",
      pushed: PAYING,
      pushedAt: at(20),
      nextDueAt: null,
      attempts: 0,
      lastError: null,
    });
    expect(await row("1")).toMatchObject({ version: 2, nextDueAt: at(10), leaseOwner: null });
    const next = await claimOne(queue, "w1", at(30));
    expect(next).toMatchObject({ desired: null, pushed: PAYING, version: 2 });
  });

  it("a member in backoff keeps its retry time when its values change; release leaves it due", async () => {
    const { queue, row } = await fresh();
    await queue.setDesired({ entries: [{ memberId: "1", discordUserId: D1, desired: PAYING }], now: T0 });
    const item = await claimOne(queue);
    await queue.complete(item, { state: "retrying", nextDueAt: at(600_000), attempts: 1, lastError: "429" });
    await queue.setDesired({
      entries: [{ memberId: "1", discordUserId: D1, desired: { paying: "1" } }],
      now: at(1_000),
    });
    expect(await row("1")).toMatchObject({
      state: "retrying",
      attempts: 1,
      nextDueAt: at(600_000),
      version: 2,
    });
    expect(await queue.claimDue({ owner: "w1", leaseMs: 60_000, limit: 10, now: at(599_999) })).toEqual([]);
    const retry = await claimOne(queue, "w1", at(600_000));
    expect(await queue.release(retry)).toBe(true);
    expect(await queue.release(retry)).toBe(false);
    expect(await queue.countDue({ now: at(600_000) })).toBe(1);
  });

  it("markDue makes members due by id and by state; countByState counts each state", async () => {
    const { queue } = await fresh();
    const entries = ["1", "2", "3"].map((memberId) => ({ memberId, discordUserId: D1, desired: PAYING }));
    await queue.setDesired({ entries, now: T0 });
    const items = await queue.claimDue({ owner: "w", leaseMs: 60_000, limit: 10, now: T0 });
    expect(items.map((i) => i.memberId).sort()).toEqual(["1", "2", "3"]);
    const states = { "1": "no_grant", "2": "needs_consent", "3": "no_grant" } as const;
    for (const item of items) {
      await queue.complete(item, {
        state: states[item.memberId as "1"],
        nextDueAt: null,
        attempts: 0,
        lastError: "x",
      });
    }
    expect(await queue.countByState()).toEqual({ no_grant: 2, needs_consent: 1 });
    expect(await queue.countDue({ now: at(1) })).toBe(0);
    expect(await queue.markDue({ now: at(1), states: ["no_grant"] })).toBe(2);
    expect(await queue.markDue({ now: at(1), memberIds: ["2"] })).toBe(1);
    expect(await queue.markDue({ now: at(1) })).toBe(0);
    expect(await queue.countDue({ now: at(1) })).toBe(3);
  });

  it("claims oldest due first, at most limit, and never the same member twice", async () => {
    const { queue } = await fresh();
    for (let i = 1; i <= 5; i += 1) {
      await queue.setDesired({
        entries: [{ memberId: String(i), discordUserId: D1, desired: PAYING }],
        now: at(10 - i),
      });
    }
    const first = await queue.claimDue({ owner: "a", leaseMs: 60_000, limit: 3, now: at(100) });
    const second = await queue.claimDue({ owner: "b", leaseMs: 60_000, limit: 3, now: at(100) });
    expect(first.map((i) => i.memberId)).toEqual(["5", "4", "3"]);
    expect(second.map((i) => i.memberId)).toEqual(["2", "1"]);
  });

  it("an aborted signal rejects before anything is written", async () => {
    const { queue, row } = await fresh();
    const controller = new AbortController();
    controller.abort();
    await expect(
      queue.setDesired(
        { entries: [{ memberId: "1", discordUserId: D1, desired: PAYING }], now: T0 },
        { signal: controller.signal },
      ),
    ).rejects.toThrow();
    expect(await row("1")).toBeNull();
  });
}
