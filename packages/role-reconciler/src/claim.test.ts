import { describe, expect, it } from "vitest";
import { FakeTime, flush } from "../test/fakes";
import { canStart, claimBatchSize, leaseSignal } from "./claim";
import { LeaseExpiredError } from "./errors";
import type { SyncItem } from "./ports";

function item(time: FakeTime, leaseMs: number): SyncItem {
  return {
    memberId: "1",
    discordUserId: "100000000000000001",
    deleted: false,
    attributes: {},
    profile: { displayName: null, avatarHash: null },
    attempts: 0,
    state: null,
    dirty: true,
    dueAt: new Date(time.nowMs),
    version: 1,
    leaseOwner: "w1",
    leaseExpiresAt: new Date(time.nowMs + leaseMs),
  };
}

describe("leases", () => {
  it("a member is only started with enough lease left", () => {
    const time = new FakeTime();
    const it1 = item(time, 60_000);
    expect(canStart(it1, time.clock.now(), 15_000)).toBe(true);
    time.advance(50_000);
    expect(canStart(it1, time.clock.now(), 15_000)).toBe(false);
  });

  it("calls under a lease are aborted just before the lease expires", async () => {
    const time = new FakeTime();
    const lease = leaseSignal({
      item: item(time, 60_000),
      clock: time.clock,
      scheduler: time.scheduler,
      safetyMs: 2_000,
    });
    time.advance(57_999);
    await flush();
    expect(lease.signal.aborted).toBe(false);
    time.advance(1);
    await flush();
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBeInstanceOf(LeaseExpiredError);
    lease.dispose();
  });

  it("disposing the lease signal cancels its timer", async () => {
    const time = new FakeTime();
    const lease = leaseSignal({
      item: item(time, 60_000),
      clock: time.clock,
      scheduler: time.scheduler,
      safetyMs: 2_000,
    });
    expect(time.pending).toBe(1);
    lease.dispose();
    await flush();
    expect(time.pending).toBe(0);
    time.advance(120_000);
    await flush();
    expect(lease.signal.aborted).toBe(false);
  });

  it("follows the parent signal (hard stop)", () => {
    const time = new FakeTime();
    const parent = new AbortController();
    const lease = leaseSignal({
      item: item(time, 60_000),
      clock: time.clock,
      scheduler: time.scheduler,
      safetyMs: 2_000,
      parent: parent.signal,
    });
    parent.abort(new Error("stop"));
    expect(lease.signal.aborted).toBe(true);
    lease.dispose();
  });

  it("sizes claim batches to half a lease at the measured pace", () => {
    expect(claimBatchSize({ leaseMs: 60_000, msPerItem: null, max: 500 })).toBe(500);
    expect(claimBatchSize({ leaseMs: 60_000, msPerItem: 1, max: 500 })).toBe(500);
    expect(claimBatchSize({ leaseMs: 60_000, msPerItem: 1000, max: 500 })).toBe(30);
    expect(claimBatchSize({ leaseMs: 60_000, msPerItem: 100_000, max: 500 })).toBe(1);
  });
});
