import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  it("caps the first retry at 250 ms and doubles the cap each retry", () => {
    const top = () => 0.999_999;
    expect(backoffDelay(0, { random: top })).toBe(249);
    expect(backoffDelay(1, { random: top })).toBe(499);
    expect(backoffDelay(2, { random: top })).toBe(999);
  });

  it("is full jitter: anywhere from 0 to the cap", () => {
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(1000);
  });

  it("never exceeds maxMs however many retries", () => {
    expect(backoffDelay(40, { random: () => 0.999_999, maxMs: 10_000 })).toBeLessThan(10_000);
  });
});
