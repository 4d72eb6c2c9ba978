import { createFakeTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { SHUTDOWN_DEADLINE_MS, shutdownSignal } from "../src/shutdown";

function fakeProcess() {
  const handlers = new Map<string, (signal: NodeJS.Signals) => void>();
  const exits: number[] = [];
  return {
    exits,
    send: (signal: NodeJS.Signals) => handlers.get(signal)?.(signal),
    process: {
      on: (event: string, fn: (signal: NodeJS.Signals) => void) => void handlers.set(event, fn),
      exit: (code?: number) => void exits.push(code ?? 0),
    } as unknown as Pick<NodeJS.Process, "on" | "exit">,
  };
}

describe("shutdownSignal", () => {
  it("aborts on SIGTERM and exits with 1 only once the deadline passes with the process still up", async () => {
    const time = createFakeTime(0);
    const proc = fakeProcess();
    const deadlines: number[] = [];
    const signal = shutdownSignal(undefined, {
      process: proc.process,
      clock: time.clock,
      scheduler: time.scheduler,
      onDeadline: (ms) => deadlines.push(ms),
    });
    expect(signal.aborted).toBe(false);
    proc.send("SIGTERM");
    expect(signal.aborted).toBe(true);
    await time.advance(SHUTDOWN_DEADLINE_MS - 1);
    expect(proc.exits).toEqual([]);
    await time.advance(1);
    expect(proc.exits).toEqual([1]);
    expect(deadlines).toEqual([SHUTDOWN_DEADLINE_MS]);
  });

  it("exits at once (130) on a second signal, and never with deadlineMs 0", async () => {
    const time = createFakeTime(0);
    const proc = fakeProcess();
    const seen: string[] = [];
    shutdownSignal((s) => seen.push(s), {
      process: proc.process,
      clock: time.clock,
      scheduler: time.scheduler,
      deadlineMs: 0,
    });
    proc.send("SIGINT");
    await time.advance(10 * SHUTDOWN_DEADLINE_MS);
    expect(proc.exits).toEqual([]);
    proc.send("SIGTERM");
    expect(proc.exits).toEqual([130]);
    expect(seen).toEqual(["SIGINT"]);
  });
});
