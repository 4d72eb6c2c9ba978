import { describe, expect, it } from "vitest";
import { createChannelBudget } from "./channel-budget";

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe("createChannelBudget", () => {
  it("gives a channel `limit` messages per window (plus the margin) and says how long the next one waits", async () => {
    const budget = createChannelBudget({ limit: 3, windowMs: 10_000, marginMs: 500 });
    for (const t of [0, 100, 200]) expect(await budget.reserve({ channelId: "c", now: at(t) })).toBe(0);
    expect(await budget.reserve({ channelId: "c", now: at(300) })).toBe(10_200);
    // Another channel has its own budget.
    expect(await budget.reserve({ channelId: "d", now: at(300) })).toBe(0);
    // The window slides: the first message's slot frees 10.5 s after it, the others later.
    expect(await budget.reserve({ channelId: "c", now: at(10_499) })).toBe(1);
    expect(await budget.reserve({ channelId: "c", now: at(10_500) })).toBe(0);
    expect(await budget.reserve({ channelId: "c", now: at(10_500) })).toBe(100);
  });

  it("never lets `limit` + 1 reservations fall inside one window, whatever the pattern", async () => {
    const budget = createChannelBudget({ limit: 30, windowMs: 60_000, marginMs: 0 });
    const taken: number[] = [];
    let t = 0;
    for (let i = 0; i < 2_000; i++) {
      t += (i * 7919) % 1_700;
      if ((await budget.reserve({ channelId: "c", now: at(t) })) === 0) taken.push(t);
    }
    let left = 0;
    for (let right = 0; right < taken.length; right++) {
      while ((taken[right] as number) - (taken[left] as number) >= 60_000) left++;
      expect(right - left + 1).toBeLessThanOrEqual(30);
    }
    expect(taken.length).toBeGreaterThan(100);
  });

  it("holds a blocked channel until the block ends, then counts again", async () => {
    const budget = createChannelBudget({ limit: 5, windowMs: 1_000, marginMs: 0 });
    await budget.block({ channelId: "c", until: at(4_000) });
    expect(await budget.reserve({ channelId: "c", now: at(1_000) })).toBe(3_000);
    expect(await budget.reserve({ channelId: "c", now: at(4_000) })).toBe(0);
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => createChannelBudget({ limit: 0 })).toThrow(RangeError);
    expect(() => createChannelBudget({ limit: 2.5 })).toThrow(RangeError);
  });
});
