import { createInstantTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { createRequestBudget, parseResetHeader } from "./budget";

const fakeTime = () => createInstantTime(0);

describe("createRequestBudget", () => {
  it("lets a burst of rps through at once, then rps per second", async () => {
    const time = fakeTime();
    const budget = createRequestBudget({ rps: 10, ...time });
    const sentAt: number[] = [];
    for (let i = 0; i < 30; i++) {
      await budget.acquire();
      sentAt.push(time.now());
    }
    expect(sentAt.slice(0, 10).every((t) => t === 0)).toBe(true);
    // 20 more at 10/s take two seconds.
    expect(sentAt.at(-1)).toBe(2_000);
    // No one-second window holds more than 10 + burst.
    for (let i = 0; i < sentAt.length; i++) {
      const inWindow = sentAt.filter((t) => t >= sentAt[i]! && t < sentAt[i]! + 1_000).length;
      expect(inWindow).toBeLessThanOrEqual(20);
    }
  });

  it("serves waiting requests in order and honours a pause", async () => {
    const time = fakeTime();
    const budget = createRequestBudget({ rps: 1, ...time });
    await budget.acquire();
    budget.pauseUntil(5_000);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => budget.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(time.now()).toBeGreaterThanOrEqual(7_000);
  });

  it("a waiter whose signal aborts gives up its turn without blocking the next", async () => {
    const budget = createRequestBudget({ rps: 1 });
    await budget.acquire();
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
  });
});

describe("parseResetHeader", () => {
  it("reads seconds and milliseconds", () => {
    expect(parseResetHeader("1795000000")).toBe(1_795_000_000_000);
    expect(parseResetHeader("1795000000123")).toBe(1_795_000_000_123);
    expect(parseResetHeader("")).toBeNull();
    expect(parseResetHeader("soon")).toBeNull();
    expect(parseResetHeader(null)).toBeNull();
  });
});
