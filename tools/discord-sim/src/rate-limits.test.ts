import { describe, expect, it } from "vitest";
import { bucketHash, createGcraLimiter, createSlidingCounter, createWindowLimiter } from "./rate-limits";

function clock() {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("createWindowLimiter", () => {
  it("opens a window on the first request and refills it entirely when the window ends", () => {
    const c = clock();
    const limiter = createWindowLimiter(c.now);
    const limit = { limit: 2, windowMs: 1_000 };
    expect(limiter.take("k", limit)).toMatchObject({ ok: true, remaining: 1, resetAfterMs: 1_000 });
    c.advance(400);
    expect(limiter.take("k", limit)).toMatchObject({ ok: true, remaining: 0, resetAfterMs: 600 });
    expect(limiter.take("k", limit)).toMatchObject({ ok: false, remaining: 0, resetAfterMs: 600 });
    expect(limiter.take("other", limit).ok).toBe(true);
    c.advance(600);
    expect(limiter.take("k", limit)).toMatchObject({ ok: true, remaining: 1 });
  });

  it("peeks at a bucket without taking a token; an unopened bucket shows full", () => {
    const c = clock();
    const limiter = createWindowLimiter(c.now);
    const limit = { limit: 2, windowMs: 1_000 };
    expect(limiter.peek("k", limit)).toMatchObject({ ok: true, remaining: 2, resetAfterMs: 1_000 });
    limiter.take("k", limit);
    c.advance(300);
    expect(limiter.peek("k", limit)).toMatchObject({ ok: true, remaining: 1, resetAfterMs: 700 });
    expect(limiter.peek("k", limit)).toMatchObject({ remaining: 1 });
    limiter.take("k", limit);
    expect(limiter.peek("k", limit)).toMatchObject({ ok: false, remaining: 0 });
    expect(limiter.take("k", limit).ok).toBe(false);
  });
});

describe("createGcraLimiter", () => {
  it("allows a burst of `limit`, then one request per period/limit", () => {
    const c = clock();
    const gcra = createGcraLimiter(c.now);
    const results = Array.from({ length: 4 }, () => gcra.take("ip", 3, 1_000));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]?.retryAfterMs).toBe(334);
    c.advance(334);
    expect(gcra.take("ip", 3, 1_000).ok).toBe(true);
    expect(gcra.take("ip", 3, 1_000).ok).toBe(false);
  });
});

describe("createSlidingCounter", () => {
  it("forgets events older than the window", () => {
    const c = clock();
    const counter = createSlidingCounter(c.now, 1_000);
    counter.add();
    c.advance(500);
    counter.add();
    expect(counter.count()).toBe(2);
    c.advance(500);
    expect(counter.count()).toBe(1);
    c.advance(500);
    expect(counter.count()).toBe(0);
  });
});

describe("bucketHash", () => {
  it("is stable per route group and differs between groups", () => {
    expect(bucketHash("member_role")).toBe(bucketHash("member_role"));
    expect(bucketHash("member_role")).not.toBe(bucketHash("get_member"));
    expect(bucketHash("get_member")).toMatch(/^[0-9a-f]{32}$/);
  });
});
