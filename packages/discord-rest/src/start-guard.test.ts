import { createInstantTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { createStartGuard } from "./start-guard";

/** Fake time that moves by every wait of the guard; `advance` moves it for the test's own steps. */
function fakeTime() {
  const time = createInstantTime(0);
  return {
    clock: time.clock,
    scheduler: time.scheduler,
    now: time.now,
    advance: (ms: number) => time.scheduler.sleep(ms),
  };
}

describe("createStartGuard", () => {
  it("lets rps starts through, then holds the next until the first is windowMs old", async () => {
    const time = fakeTime();
    const guard = createStartGuard({ rps: 3, windowMs: 1020, ...time });
    const starts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answered = await guard.admit();
      starts.push(time.now());
      await time.advance(1);
      answered();
    }
    expect(starts).toEqual([0, 1, 2, 1020]);
  });

  it("holds a slot longer after an answer slower than the fastest round trip", async () => {
    const time = fakeTime();
    const guard = createStartGuard({ rps: 2, windowMs: 1020, ...time });
    const first = await guard.admit();
    await time.advance(90); // a cold connection: the server may have seen it up to 90 ms late
    first();
    const second = await guard.admit();
    await time.advance(10);
    second();
    await guard.admit();
    // 1000 + 5 (floor) + (90 − 10) excess after the first start
    expect(time.now()).toBe(1085);
  });

  it("waits at most stallCapMs extra for a request that is never answered", async () => {
    const time = fakeTime();
    const guard = createStartGuard({ rps: 1, windowMs: 1020, stallCapMs: 250, ...time });
    await guard.admit(); // never answered
    await guard.admit();
    expect(time.now()).toBe(1255);
    const byDefault = createStartGuard({ rps: 1, windowMs: 1020, ...time });
    const from = time.now();
    await byDefault.admit();
    await byDefault.admit();
    expect(time.now() - from).toBe(2005);
  });

  it("allows the floor of a fractional budget per window", async () => {
    const time = fakeTime();
    const guard = createStartGuard({ rps: 2.5, windowMs: 1000, ...time });
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const answered = await guard.admit();
      starts.push(time.now());
      answered();
    }
    expect(starts).toEqual([0, 0, 1005]);
  });
});
