import { describe, expect, it } from "vitest";
import { backoffDelayMs, DEFAULT_BACKOFF } from "./backoff";

const noJitter = () => 0;

describe("backoffDelayMs", () => {
  it("doubles from 300 s per attempt: 300, 600, 1200, 2400 … seconds", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => backoffDelayMs(a, { random: noJitter }) / 1000);
    expect(delays).toEqual([300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 76800]);
  });

  it("is capped at 86,400 s from the tenth attempt on, even for huge attempt counts", () => {
    expect(backoffDelayMs(10, { random: noJitter })).toBe(86_400_000);
    expect(backoffDelayMs(11, { random: noJitter })).toBe(86_400_000);
    expect(backoffDelayMs(5000, { random: noJitter })).toBe(86_400_000);
  });

  it("jitter shortens a delay by at most 20 % and never exceeds the cap", () => {
    expect(backoffDelayMs(1, { random: () => 1 })).toBe(240_000);
    expect(backoffDelayMs(1, { random: () => 0.5 })).toBe(270_000);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelayMs(12, {});
      expect(d).toBeGreaterThanOrEqual(0.8 * DEFAULT_BACKOFF.capMs);
      expect(d).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs);
    }
  });

  it("treats attempt 0 or less as the first attempt", () => {
    expect(backoffDelayMs(0, { random: noJitter })).toBe(300_000);
    expect(backoffDelayMs(-3, { random: noJitter })).toBe(300_000);
  });

  it("waits at least as long as Discord's retry-after (up to the cap)", () => {
    expect(backoffDelayMs(1, { random: noJitter, retryAfterMs: 900_000 })).toBe(900_000);
    expect(backoffDelayMs(1, { random: noJitter, retryAfterMs: 10 * 86_400_000 })).toBe(86_400_000);
  });

  it("follows a custom policy", () => {
    const policy = { baseMs: 100, capMs: 1000, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, { policy }))).toEqual([100, 200, 400, 800, 1000]);
  });
});
