import { createFakeTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { applyHeaders, availableSlots, type BucketReservation, createBucketRegistry } from "./bucket";
import { parseRateLimitHeaders, type RateLimitInfo } from "./headers";
import { routes } from "./route";

/** Fake time whose timers fire when `advance` passes them. */
const fakeTime = () => createFakeTime(1_000_000);

const headers = (
  remaining: number,
  resetAfterS: number,
  opts: { limit?: number; bucket?: string; reset?: number } = {},
) =>
  parseRateLimitHeaders({
    "x-ratelimit-limit": String(opts.limit ?? 5),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset-after": String(resetAfterS),
    ...(opts.reset === undefined ? {} : { "x-ratelimit-reset": String(opts.reset) }),
    "x-ratelimit-bucket": opts.bucket ?? "hash-a",
  });

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("bucket bookkeeping", () => {
  const member = routes.getGuildMember("1", "2");

  it("lets one request through an unknown bucket until its first answer arrives", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    const first = await registry.acquire(member);
    let secondDone = false;
    const second = registry.acquire(member).then((r) => {
      secondDone = true;
      return r;
    });
    await flush();
    expect(secondDone).toBe(false);
    first.settle(headers(4, 1));
    await second;
    expect(secondDone).toBe(true);
  });

  it("never reserves more than the announced remaining, counting requests in flight", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    (await registry.acquire(member)).settle(headers(2, 0.9));
    const a = await registry.acquire(member);
    const b = await registry.acquire(member);
    let third: BucketReservation | null = null;
    void registry.acquire(member).then((r) => {
      third = r;
    });
    await flush();
    expect(third).toBeNull();
    a.settle(headers(1, 0.9));
    b.settle(headers(0, 0.9));
    await flush();
    expect(third).toBeNull();
    await timers.advance(899);
    await flush();
    expect(third).toBeNull();
    await timers.advance(1);
    await flush();
    expect(third).not.toBeNull();
  });

  it("keys buckets by the announced hash and major parameter: routes sharing a hash share a budget", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    const add = routes.guildMemberRole("PUT", "1", "2", "3");
    const remove = routes.guildMemberRole("DELETE", "1", "2", "3");
    (await registry.acquire(add)).settle(headers(1, 5, { bucket: "roles" }));
    (await registry.acquire(remove)).settle(headers(0, 5, { bucket: "roles" }));
    expect(registry.snapshot().map((b) => b.key)).toEqual(["roles|guild:1"]);
    let waited = false;
    const pending = registry.acquire(add, { onWait: () => (waited = true) });
    expect(waited).toBe(true);
    await timers.advance(5000);
    await pending;
  });

  it("keeps methods of one path together before Discord names their bucket, and after one of them answers", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    const add = routes.guildMemberRole("PUT", "1", "2", "3");
    const remove = routes.guildMemberRole("DELETE", "1", "2", "3");
    const first = await registry.acquire(add);
    let removeStarted = false;
    const pendingRemove = registry.acquire(remove).then((r) => {
      removeStarted = true;
      return r;
    });
    await flush();
    expect(removeStarted).toBe(false);
    first.settle(headers(1, 5, { bucket: "roles", limit: 3 }));
    const second = await pendingRemove;
    // The shared bucket has 1 left and the DELETE holds it: a further PUT must wait.
    let thirdStarted = false;
    void registry.acquire(add).then(() => {
      thirdStarted = true;
    });
    await flush();
    expect(thirdStarted).toBe(false);
    second.settle(headers(0, 4.9, { bucket: "roles", limit: 3 }));
    await timers.advance(5000);
    await flush();
    expect(thirdStarted).toBe(true);
    expect(registry.snapshot().map((b) => b.key)).toEqual(["roles|guild:1"]);
  });

  it("gives a route its own bucket when Discord names a different one than its family's", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    const add = routes.guildMemberRole("PUT", "1", "2", "3");
    const remove = routes.guildMemberRole("DELETE", "1", "2", "3");
    (await registry.acquire(add)).settle(headers(0, 5, { bucket: "add" }));
    let waited = false;
    const guess = registry.acquire(remove, { onWait: () => (waited = true) });
    expect(waited).toBe(true);
    await timers.advance(5000);
    (await guess).settle(headers(4, 5, { bucket: "remove" }));
    expect(
      registry
        .snapshot()
        .map((b) => b.key)
        .sort(),
    ).toEqual(["add|guild:1", "remove|guild:1"]);
    let waitedAgain = false;
    await registry.acquire(remove, { onWait: () => (waitedAgain = true) });
    expect(waitedAgain).toBe(false);
  });

  it("keeps other major parameters independent", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    (await registry.acquire(routes.getGuildMember("1", "2"))).settle(headers(0, 5));
    let waited = false;
    await registry.acquire(routes.getGuildMember("7", "2"), { onWait: () => (waited = true) });
    expect(waited).toBe(false);
  });

  it("waits out a route 429 before sending into that bucket again", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    (await registry.acquire(member)).settleRateLimited(headers(0, 0.5), 2000);
    let got = false;
    const next = registry.acquire(member).then(() => (got = true));
    await timers.advance(1999);
    await flush();
    expect(got).toBe(false);
    await timers.advance(1);
    await next;
  });

  it("reports a reservation blocked when the server announced exhaustion after it was made", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    (await registry.acquire(member)).settle(headers(3, 1));
    const a = await registry.acquire(member);
    const b = await registry.acquire(member);
    expect(b.blocked()).toBe(false);
    a.settleRateLimited(headers(0, 1), 1000);
    expect(b.blocked()).toBe(true);
  });

  it("rejects a waiting acquire when its signal aborts, and frees nothing it never held", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    (await registry.acquire(member)).settle(headers(0, 10));
    const controller = new AbortController();
    const pending = registry.acquire(member, { signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(registry.snapshot()[0]?.queued).toBe(0);
  });

  it("treats a bucket whose answers carry no limits as unlimited", async () => {
    const timers = fakeTime();
    const registry = createBucketRegistry(timers);
    (await registry.acquire(member)).settle(parseRateLimitHeaders({}));
    const many = await Promise.all(Array.from({ length: 20 }, () => registry.acquire(member)));
    expect(many).toHaveLength(20);
  });
});

describe("applyHeaders", () => {
  const info = (remaining: number, reset: number, resetAfter = 1): RateLimitInfo =>
    headers(remaining, resetAfter, { reset });

  it("keeps the lowest remaining among out-of-order answers of one window", () => {
    const bucket = {
      key: "k",
      limit: null,
      remaining: 0,
      resetAt: 0,
      windowId: null,
      inFlight: 0,
      waiters: [],
      mergedInto: null,
      lastUsed: 0,
      timer: null,
      timerAt: 0,
    };
    applyHeaders(bucket, info(2, 100), 0);
    applyHeaders(bucket, info(3, 100), 10);
    expect(bucket.remaining).toBe(2);
    applyHeaders(bucket, info(4, 101), 1000);
    expect(bucket.remaining).toBe(4);
    applyHeaders(bucket, info(0, 100), 1001);
    expect(bucket.remaining).toBe(4);
    expect(availableSlots(bucket, 1001)).toBe(4);
  });
});
