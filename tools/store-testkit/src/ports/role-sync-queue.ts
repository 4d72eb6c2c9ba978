import type { SyncItem, SyncOutcome } from "@guildkit/role-reconciler";
import { expect, it } from "vitest";
import { columnsOf, D1, D2, D3, type RoleSyncSubject, T0 } from "./role-sync-subject";

const ok = (
  checkedAt: Date,
  nextDueAt: Date | null = new Date(checkedAt.getTime() + 3_600_000),
): SyncOutcome => ({ state: "ok", checkedAt, nextDueAt, attempts: 0, lastError: null, forget: false });

const later = (ms: number) => new Date(T0.getTime() + ms);

function claim(s: RoleSyncSubject, owner: string, now = T0, limit = 100, leaseMs = 60_000) {
  return s.queue.claimDue({ owner, leaseMs, limit, now, columns: columnsOf(s) });
}

/** Claims and completes everything due, so nothing is due afterwards. */
async function settle(s: RoleSyncSubject, now = T0) {
  for (;;) {
    const items = await claim(s, "settler", now, 500);
    if (items.length === 0) return;
    for (const item of items) await s.queue.complete(item, ok(now, null));
  }
}

/**
 * The conformance cases of the `SyncQueue` port of `@guildkit/role-reconciler` (claims and leases,
 * level-triggered marking, outcomes, the full pass, backoff and the look-ahead, the applied
 * settings), registered with vitest's `it` in the current `describe`. Every implementation runs
 * them — both SQL stores through the `role-sync` store cases, `createMemoryRoleSyncStore` in this
 * package's tests — and writes are read back through the subject's backdoor. `fresh` gives a new,
 * empty subject per test.
 */
export function defineSyncQueueCases(fresh: () => Promise<RoleSyncSubject>): void {
  it("linking a member marks it due at once; a claim leases it with its entitlement inputs", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "active" });
    await s.createMember({ discordUserId: null, paymentStatus: "active" });
    expect(await s.queue.countDue({ now: T0 })).toBe(1);
    const [item, ...rest] = await claim(s, "w1");
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      memberId: m,
      discordUserId: D1,
      deleted: false,
      attributes: { [columnsOf(s)[0]!]: "active" },
      dirty: true,
      leaseOwner: "w1",
      attempts: 0,
    });
    expect(item!.leaseExpiresAt.toISOString()).toBe("2026-01-01T00:01:00.000Z");
    expect((await s.syncRow(m))?.leaseOwner).toBe("w1");
    expect(await claim(s, "w2")).toEqual([]);
  });

  it("a lease older than its expiry is claimable by another worker; the first worker's completion is refused", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "active" });
    const [first] = await claim(s, "w1");
    expect(await claim(s, "w2", later(59_999))).toEqual([]);
    const [second] = await claim(s, "w2", later(60_000));
    expect(second?.memberId).toBe(m);
    expect(await s.queue.complete(first!, ok(T0))).toBe(false);
    expect(await s.queue.release(first!)).toBe(false);
    expect((await s.syncRow(m))?.leaseOwner).toBe("w2");
    expect(await s.queue.complete(second!, ok(T0))).toBe(true);
    const row = await s.syncRow(m);
    expect(row).toMatchObject({ leaseOwner: null, state: "ok", dirty: false });
    expect(row?.nextDueAt?.toISOString()).toBe("2026-01-01T01:00:00.000Z");
  });

  it("a released member is due and claimable again, its lease free", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "active" });
    const [item] = await claim(s, "w1");
    expect(await s.queue.release(item!)).toBe(true);
    expect(await s.syncRow(m)).toMatchObject({ leaseOwner: null, state: null, dirty: true });
    expect(await s.queue.countDue({ now: T0 })).toBe(1);
    expect((await claim(s, "w2")).map((i) => i.memberId)).toEqual([m]);
  });

  it("concurrent claimers never share a member", async () => {
    const s = await fresh();
    for (let i = 0; i < 120; i += 1)
      await s.createMember({ discordUserId: String(200000000000000000n + BigInt(i)), paymentStatus: "x" });
    const seen = new Map<string, string>();
    const claimer = async (owner: string) => {
      for (;;) {
        const items = await claim(s, owner, T0, 7);
        if (items.length === 0) return;
        for (const item of items) {
          expect(seen.has(item.memberId)).toBe(false);
          seen.set(item.memberId, owner);
        }
        for (const item of items) await s.queue.complete(item, ok(T0, null));
      }
    };
    await Promise.all(["a", "b", "c", "d"].map(claimer));
    expect(seen.size).toBe(120);
  });

  it("payment_status NULL ↔ value changes mark the member due, bumping its version; an unchanged value does not", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: null });
    await settle(s);
    const v0 = (await s.syncRow(m))!.version;
    await s.updateMember(m, { paymentStatus: null });
    expect(await s.queue.countDue({ now: T0 })).toBe(0);
    await s.updateMember(m, { paymentStatus: "active" });
    expect(await s.syncRow(m)).toMatchObject({ dirty: true, version: v0 + 1, nextDueAt: new Date(0) });
    await settle(s);
    await s.updateMember(m, { paymentStatus: "active" });
    expect(await s.queue.countDue({ now: T0 })).toBe(0);
    await s.updateMember(m, { paymentStatus: null });
    expect(await s.syncRow(m)).toMatchObject({ dirty: true, version: v0 + 2 });
  });

  it("setting, changing and clearing the Discord link mark the member due; deleting keeps its row, due, until forgotten", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: null, paymentStatus: "active" });
    expect(await s.syncRow(m)).toBeNull();
    await s.updateMember(m, { discordUserId: D1 });
    expect((await s.syncRow(m))?.dirty).toBe(true);
    await settle(s);
    await s.updateMember(m, { discordUserId: D2 });
    expect((await s.syncRow(m))?.dirty).toBe(true);
    await settle(s);
    await s.updateMember(m, { discordUserId: null });
    expect((await s.syncRow(m))?.dirty).toBe(true);
    await settle(s);
    await s.deleteMember(m);
    expect((await s.syncRow(m))?.dirty).toBe(true);
    const [item] = await claim(s, "w1");
    expect(item).toMatchObject({ memberId: m, deleted: true, discordUserId: null });
    // Revocation done: the row is forgotten.
    expect(await s.queue.complete(item!, { ...ok(T0, null), state: "unlinked", forget: true })).toBe(true);
    expect(await s.syncRow(m)).toBeNull();
  });

  it("a change made while a member is leased keeps it due after completion", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "active" });
    const [item] = await claim(s, "w1");
    await s.updateMember(m, { paymentStatus: null });
    expect(await s.queue.complete(item!, ok(T0))).toBe(true);
    const row = (await s.syncRow(m))!;
    expect(row).toMatchObject({ dirty: true, leaseOwner: null, state: "ok" });
    expect(row.nextDueAt?.getTime()).toBe(0);
  });

  it("completeMany records many outcomes at once, only under a held lease, keeping changed members due", async () => {
    const s = await fresh();
    await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    await s.createMember({ discordUserId: D2, paymentStatus: "x" });
    await s.createMember({ discordUserId: D3, paymentStatus: "x" });
    const items = await claim(s, "w1");
    expect(items).toHaveLength(3);
    // One lease expires and another worker takes that member; then the member changes.
    const [taken] = await claim(s, "w2", later(60_000), 1);
    await s.updateMember(taken!.memberId, { paymentStatus: null });
    expect(await s.queue.completeMany(items.map((item) => ({ item, outcome: ok(T0) })))).toBe(2);
    for (const item of items.filter((i) => i.memberId !== taken!.memberId)) {
      const row = await s.syncRow(item.memberId);
      expect(row).toMatchObject({ state: "ok", dirty: false, leaseOwner: null });
      expect(row?.nextDueAt?.toISOString()).toBe("2026-01-01T01:00:00.000Z");
    }
    expect((await s.syncRow(taken!.memberId))?.leaseOwner).toBe("w2");
    expect(await s.queue.completeMany([{ item: taken!, outcome: ok(T0) }])).toBe(1);
    expect(await s.syncRow(taken!.memberId)).toMatchObject({ state: "ok", dirty: true, leaseOwner: null });
  });

  it("completeMany of a deleted member's final outcome forgets its row", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    await settle(s);
    await s.deleteMember(m);
    const [item] = await claim(s, "w1");
    const outcome = { ...ok(T0, null), state: "unlinked" as const, forget: true };
    expect(await s.queue.completeMany([{ item: item!, outcome }])).toBe(1);
    expect(await s.syncRow(m)).toBeNull();
  });

  it("changed members are claimed before scheduled re-checks", async () => {
    const s = await fresh();
    const a = await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    const b = await s.createMember({ discordUserId: D2, paymentStatus: "x" });
    await settle(s);
    await s.queue.scheduleFullPass({ now: T0, checkedBefore: later(1) });
    await s.updateMember(b, { paymentStatus: null });
    const items = await claim(s, "w1");
    expect(items.map((i: SyncItem) => i.memberId)).toEqual([b, a]);
  });

  it("the full pass makes due every linked member not checked since the cutoff, creating missing rows", async () => {
    const s = await fresh();
    const a = await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    await settle(s);
    const b = await s.createMember({ discordUserId: D2, paymentStatus: "x" });
    await s.dropSyncRow(b);
    const next = later(86_400_000);
    expect(await s.queue.scheduleFullPass({ now: next, checkedBefore: T0 })).toBe(1);
    expect(await s.syncRow(b)).not.toBeNull();
    expect(await s.queue.scheduleFullPass({ now: next, checkedBefore: next })).toBe(1);
    expect((await s.syncRow(a))?.nextDueAt?.toISOString()).toBe(next.toISOString());
    expect(await s.queue.countDue({ now: next })).toBe(2);
  });

  it("markDue re-marks members by id and by state", async () => {
    const s = await fresh();
    const a = await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    const b = await s.createMember({ discordUserId: D2, paymentStatus: "x" });
    for (const item of await claim(s, "w1")) {
      const failed = item.memberId === a;
      await s.queue.complete(
        item,
        failed
          ? { ...ok(T0), state: "permanent_error", attempts: 1, lastError: "role above the bot" }
          : ok(T0),
      );
    }
    expect((await s.syncRow(a))?.lastError).toBe("role above the bot");
    expect(await s.queue.markDue({ now: T0, states: ["permanent_error"] })).toBe(1);
    expect((await s.syncRow(a))?.dirty).toBe(true);
    expect((await s.syncRow(b))?.dirty).toBe(false);
    expect(await s.queue.markDue({ now: T0, memberIds: [b] })).toBe(1);
    expect(await s.syncRow(b)).toMatchObject({ dirty: true, nextDueAt: new Date(0) });
    expect(await s.queue.markDue({ now: T0 })).toBe(0);
  });

  it("a member in backoff inside the look-ahead window is not claimed early; one not in backoff is", async () => {
    const s = await fresh();
    const backoff = await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    const scheduled = await s.createMember({ discordUserId: D2, paymentStatus: "x" });
    const retryAt = later(300_000);
    for (const item of await claim(s, "w1")) {
      await s.queue.complete(
        item,
        item.memberId === backoff
          ? { ...ok(T0, retryAt), state: "retrying", attempts: 1, lastError: "HTTP 503" }
          : ok(T0, retryAt),
      );
    }
    const now = later(1_000);
    const dueBy = new Date(now.getTime() + 3_600_000);
    expect(await s.queue.countDue({ now, dueBy })).toBe(1);
    const early = await s.queue.claimDue({
      owner: "w2",
      leaseMs: 60_000,
      limit: 10,
      now,
      dueBy,
      columns: columnsOf(s),
    });
    expect(early.map((i) => i.memberId)).toEqual([scheduled]);
    expect((await s.syncRow(backoff))?.leaseOwner).toBeNull();
    expect((await s.syncRow(scheduled))?.leaseOwner).toBe("w2");
    const [retried] = await s.queue.claimDue({
      owner: "w3",
      leaseMs: 60_000,
      limit: 10,
      now: retryAt,
      dueBy: new Date(retryAt.getTime() + 3_600_000),
      columns: columnsOf(s),
    });
    expect(retried).toMatchObject({ memberId: backoff, attempts: 1, state: "retrying" });
  });

  it("a member in its grace period is not claimed early by the look-ahead; at the grace end it is due", async () => {
    const s = await fresh();
    const grace = await s.createMember({ discordUserId: D1, paymentStatus: null });
    const graceEnd = later(300_000);
    for (const item of await claim(s, "w1"))
      await s.queue.complete(item, { ...ok(T0, graceEnd), state: "grace" });
    const now = later(1_000);
    const dueBy = new Date(now.getTime() + 3_600_000);
    expect(await s.queue.countDue({ now, dueBy })).toBe(0);
    expect(
      await s.queue.claimDue({ owner: "w2", leaseMs: 60_000, limit: 10, now, dueBy, columns: columnsOf(s) }),
    ).toEqual([]);
    const [due] = await s.queue.claimDue({
      owner: "w3",
      leaseMs: 60_000,
      limit: 10,
      now: graceEnd,
      dueBy: new Date(graceEnd.getTime() + 3_600_000),
      columns: columnsOf(s),
    });
    expect(due).toMatchObject({ memberId: grace, state: "grace" });
  });

  it("the full pass leaves a member in backoff to its retry time", async () => {
    const s = await fresh();
    const backoff = await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    const scheduled = await s.createMember({ discordUserId: D2, paymentStatus: "x" });
    const retryAt = later(7_200_000);
    for (const item of await claim(s, "w1")) {
      await s.queue.complete(
        item,
        item.memberId === backoff
          ? { ...ok(T0, retryAt), state: "retrying", attempts: 5, lastError: "HTTP 503" }
          : ok(T0, retryAt),
      );
    }
    const now = later(3_600_000);
    expect(await s.queue.scheduleFullPass({ now, checkedBefore: now })).toBe(1);
    expect((await s.syncRow(backoff))?.nextDueAt?.toISOString()).toBe(retryAt.toISOString());
    expect((await s.syncRow(scheduled))?.nextDueAt?.toISOString()).toBe(now.toISOString());
  });

  it("scan reads every row page by page in member order, claiming nothing", async () => {
    const s = await fresh();
    const ids = [];
    for (const d of [D1, D2, D3]) ids.push(await s.createMember({ discordUserId: d, paymentStatus: "x" }));
    const first = await s.queue.scan({ after: null, limit: 2, columns: columnsOf(s) });
    expect(first.map((e) => e.memberId)).toEqual(ids.slice(0, 2));
    expect(first[0]).toMatchObject({
      discordUserId: D1,
      attributes: { [columnsOf(s)[0]!]: "x" },
      dirty: true,
    });
    const rest = await s.queue.scan({ after: first[1]!.memberId, limit: 2, columns: columnsOf(s) });
    expect(rest.map((e) => e.memberId)).toEqual(ids.slice(2));
    expect(await s.queue.scan({ after: ids[2]!, limit: 2, columns: columnsOf(s) })).toEqual([]);
    for (const id of ids) expect((await s.syncRow(id))?.leaseOwner).toBeNull();
  });

  it("remembers the fingerprint of the settings last applied, the newest save winning", async () => {
    const s = await fresh();
    expect(await s.queue.appliedSettings()).toBeNull();
    await s.queue.saveAppliedSettings({ fingerprint: '["1",[]]', now: T0 });
    await s.queue.saveAppliedSettings({ fingerprint: '["2",[]]', now: T0 });
    expect(await s.queue.appliedSettings()).toBe('["2",[]]');
  });
}
