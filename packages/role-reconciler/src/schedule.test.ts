import { describe, expect, it } from "vitest";
import { bulkLookaheadMs, fullPassCutoff, nextRecheckAt, syncIntervalMs } from "./schedule";

const H = 3_600_000;

describe("sync interval", () => {
  it("defaults to 24 h and clamps to 1–168 h like the seed", () => {
    expect(syncIntervalMs()).toBe(24 * H);
    expect(syncIntervalMs(null)).toBe(24 * H);
    expect(syncIntervalMs(Number.NaN)).toBe(24 * H);
    expect(syncIntervalMs(0)).toBe(1 * H);
    expect(syncIntervalMs(500)).toBe(168 * H);
    expect(syncIntervalMs(6)).toBe(6 * H);
  });

  it("schedules the periodic re-check inside the interval, leaving a 10 % margin for queueing", () => {
    const t = new Date(Date.UTC(2026, 0, 1));
    expect(nextRecheckAt(t, 24 * H).getTime() - t.getTime()).toBe(21.6 * H);
    expect(bulkLookaheadMs(24 * H)).toBe(2.4 * H);
    expect(fullPassCutoff(t, 24 * H).getTime()).toBe(t.getTime() - 24 * H);
  });
});
