import { createFakeTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { createDatabaseClock } from "../src/database-clock";

describe("the worker's clock on the database's time", () => {
  it("reads this process's clock plus the measured offset (half the round trip corrected), and measures again every minute", async () => {
    // This process's clock runs 30 s ahead of the database server's.
    const time = createFakeTime(Date.parse("2026-12-03T12:00:30.000Z"));
    let skew = 30_000;
    const read = async () => {
      time.advance(10); // a 20 ms round trip: the server answers half-way
      const answer = new Date(time.now() - skew);
      time.advance(10);
      return answer;
    };
    const clock = await createDatabaseClock({ read, base: time.clock, scheduler: time.scheduler });
    expect(clock.offsetMs()).toBe(-30_000);
    expect(clock.now().toISOString()).toBe(new Date(time.now() - 30_000).toISOString());
    skew = 5_000; // NTP fixed most of it
    await time.advance(60_000);
    expect(clock.offsetMs()).toBe(-5_000);
    clock.stop();
    skew = 0;
    await time.advance(120_000);
    expect(clock.offsetMs()).toBe(-5_000);
  });

  it("keeps offset 0 (this process's clock) when the database does not answer at start, and reports it", async () => {
    const time = createFakeTime(Date.parse("2026-12-03T12:00:00.000Z"));
    const errors: unknown[] = [];
    const clock = await createDatabaseClock({
      read: async () => {
        throw new Error("connection refused");
      },
      base: time.clock,
      scheduler: time.scheduler,
      onError: (e) => errors.push(e),
    });
    expect(clock.offsetMs()).toBe(0);
    expect(clock.now().getTime()).toBe(time.now());
    expect(errors).toHaveLength(1);
    clock.stop();
  });
});
