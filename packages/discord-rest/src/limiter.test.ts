import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bottleneckSettings, createBottleneckLimiter, startSpacingMs } from "./limiter";

/** The most starts that fall in any half-open window [t, t + 1000). */
export function maxStartsPerSecond(starts: number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  for (let right = 0; right < sorted.length; right++) {
    while (sorted[right]! - sorted[left]! >= 1000) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

describe("startSpacingMs", () => {
  it("spaces starts 1000 / rps apart plus a 2 % margin", () => {
    expect(startSpacingMs(3)).toBe(340);
    expect(startSpacingMs(50)).toBe(21);
    expect(startSpacingMs(3, 0)).toBe(334);
  });

  it("refuses a burst that leaves no room for refills within the second", () => {
    expect(() => bottleneckSettings(3, 3)).toThrow(RangeError);
    expect(() => bottleneckSettings(0)).toThrow(RangeError);
    expect(bottleneckSettings(10, 4)).toMatchObject({ reservoir: 4, reservoirIncreaseMaximum: 4 });
  });
});

describe("createBottleneckLimiter (fake time)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function run(limiter: ReturnType<typeof createBottleneckLimiter>, jobs: number, forMs: number) {
    const starts: number[] = [];
    const all = Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        limiter.schedule(async () => {
          starts.push(Date.now());
          return i;
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(forMs);
    const results = await all;
    return { starts, results };
  }

  it("starts at most 3 jobs in any second by default, in FIFO order", async () => {
    const limiter = createBottleneckLimiter();
    const { starts, results } = await run(limiter, 30, 15_000);
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(maxStartsPerSecond(starts)).toBe(3);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThanOrEqual(339);
    expect(mean).toBeLessThan(345);
    await limiter.close?.();
  });

  it("with a burst starts that many at once and still never exceeds rps in any second", async () => {
    const limiter = createBottleneckLimiter({ rps: 5, burst: 3 });
    const { starts } = await run(limiter, 30, 30_000);
    expect(starts.filter((t) => t - starts[0]! < 20).length).toBe(3);
    expect(maxStartsPerSecond(starts)).toBeLessThanOrEqual(5);
    await limiter.close?.();
  });

  it("drops a queued job whose signal aborts: the promise rejects and the job never runs", async () => {
    const limiter = createBottleneckLimiter({ rps: 1 });
    let ran = 0;
    const first = limiter.schedule(async () => ++ran);
    const controller = new AbortController();
    const second = limiter.schedule(async () => ++ran, { signal: controller.signal });
    const rejection = expect(second).rejects.toThrow("changed my mind");
    controller.abort(new Error("changed my mind"));
    await rejection;
    await vi.advanceTimersByTimeAsync(5000);
    await first;
    expect(ran).toBe(1);
    await limiter.close?.();
  });
});
