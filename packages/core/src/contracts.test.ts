import { describe, expect, it } from "vitest";
import { backoffMs } from "./backoff";
import {
  errnoOf,
  GuildkitError,
  isAbortError,
  isRetryableError,
  isTimeoutError,
  retryAfterMsOf,
} from "./errors";
import { systemClock, systemScheduler } from "./system";
import { createFakeTime, createMemoryEventLog } from "./testing";

describe("the error contract", () => {
  it("recognises a GuildkitError and a structurally equal error, and nothing else", () => {
    const err = new GuildkitError("429", { retryable: true, retryAfterMs: 1500, status: 429, code: 0 });
    expect(isRetryableError(err)).toBe(true);
    expect(retryAfterMsOf(err)).toBe(1500);
    const foreign = Object.assign(new Error("x"), { retryable: false, status: 404, code: 10015 });
    expect(isRetryableError(foreign)).toBe(true);
    expect(retryAfterMsOf(foreign)).toBeNull();
    expect(isRetryableError({ retryable: true, message: "not an Error" })).toBe(false);
    expect(isRetryableError(Object.assign(new Error("x"), { retryable: "yes" }))).toBe(false);
    expect(isRetryableError(Object.assign(new Error("x"), { retryable: true, status: "500" }))).toBe(false);
    expect(isRetryableError(new Error("plain"))).toBe(false);
  });

  it("never reports a negative or non-finite retryAfterMs", () => {
    expect(retryAfterMsOf(new GuildkitError("x", { retryable: true, retryAfterMs: -5 }))).toBe(0);
    expect(retryAfterMsOf(new GuildkitError("x", { retryable: true, retryAfterMs: Number.NaN }))).toBeNull();
  });

  it("tells aborts, timeouts and errnos apart, through cause chains", () => {
    const abort = new DOMException("stop", "AbortError");
    const timeout = new DOMException("late", "TimeoutError");
    expect(isAbortError(abort)).toBe(true);
    expect(isTimeoutError(abort)).toBe(false);
    expect(isTimeoutError(timeout)).toBe(true);
    const reset = new TypeError("fetch failed", {
      cause: Object.assign(new Error("socket"), { code: "ECONNRESET" }),
    });
    expect(errnoOf(reset)).toBe("ECONNRESET");
    expect(isTimeoutError(reset)).toBe(false);
    const connectTimeout = new TypeError("fetch failed", {
      cause: Object.assign(new Error("t"), { code: "UND_ERR_CONNECT_TIMEOUT" }),
    });
    expect(isTimeoutError(connectTimeout)).toBe(true);
    expect(errnoOf(new GuildkitError("x", { retryable: false, code: 10015 }))).toBeNull();
  });
});

describe("backoffMs", () => {
  const policy = { baseMs: 1000, capMs: 60_000, jitter: 0.2 };
  it("doubles from the base, stays under the cap, and jitters down only", () => {
    expect(backoffMs(1, { policy, random: () => 0 })).toBe(1000);
    expect(backoffMs(3, { policy, random: () => 0 })).toBe(4000);
    expect(backoffMs(3, { policy, random: () => 0.999999 })).toBe(3200);
    expect(backoffMs(10_000, { policy, random: () => 0 })).toBe(60_000);
    expect(backoffMs(Number.NaN, { policy, random: () => 0 })).toBe(1000);
  });
  it("takes the server's retryAfterMs as a floor, capped", () => {
    expect(backoffMs(1, { policy, random: () => 0, retryAfterMs: 5000 })).toBe(5000);
    expect(backoffMs(1, { policy, random: () => 0, retryAfterMs: 10_000_000 })).toBe(60_000);
  });
});

describe("fake time", () => {
  it("fires timers in order only when advanced, with the clock at each timer's moment", async () => {
    const time = createFakeTime(0);
    const fired: [string, number][] = [];
    time.scheduler.setTimer(new Date(200), () => fired.push(["b", time.now()]));
    time.scheduler.setTimer(new Date(100), () => fired.push(["a", time.now()]));
    const cleared = time.scheduler.setTimer(new Date(150), () => fired.push(["never", time.now()]));
    time.scheduler.clear(cleared);
    await time.advance(99);
    expect(fired).toEqual([]);
    await time.advance(200);
    expect(fired).toEqual([
      ["a", 100],
      ["b", 200],
    ]);
    expect(time.now()).toBe(299);
    expect(time.pending()).toBe(0);
  });

  it("runs a sleep loop without waiting, and wakes a sleep early on abort", async () => {
    const time = createFakeTime(0);
    const ticks: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await time.scheduler.sleep(1000);
        ticks.push(time.clock.now().getTime());
      }
    })();
    await time.advance(3000);
    await loop;
    expect(ticks).toEqual([1000, 2000, 3000]);

    const controller = new AbortController();
    const sleeping = time.scheduler.sleep(60_000, { signal: controller.signal });
    controller.abort();
    await sleeping;
    expect(time.pending()).toBe(0);
  });

  it("keeps an in-memory event log", async () => {
    const log = createMemoryEventLog();
    await log.append({ kind: "a.b", level: "info", message: "m" });
    expect(log.ofKind("a.b")).toHaveLength(1);
    const controller = new AbortController();
    controller.abort();
    await expect(
      log.append({ kind: "a.b", level: "info", message: "m" }, { signal: controller.signal }),
    ).rejects.toThrow();
    expect(log.entries).toHaveLength(1);
  });
});

describe("the system scheduler", () => {
  it("fires a timer, can clear one, and resolves a sleep on abort", async () => {
    expect(systemClock.now()).toBeInstanceOf(Date);
    const fired = await new Promise<boolean>((resolve) => {
      systemScheduler.setTimer(new Date(Date.now() - 1), () => resolve(true));
    });
    expect(fired).toBe(true);
    let ran = false;
    const handle = systemScheduler.setTimer(new Date(Date.now() + 5), () => {
      ran = true;
    });
    systemScheduler.clear(handle);
    systemScheduler.clear(null);
    const controller = new AbortController();
    const sleeping = systemScheduler.sleep(3_600_000, { signal: controller.signal });
    controller.abort();
    await sleeping;
    await systemScheduler.sleep(10);
    expect(ran).toBe(false);
  });
});
