import { createFakeTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { createMemoryNonceStore } from "./memory-nonce-store";
import { createMemorySessionStore } from "./memory-session-store";
import type { SessionStore } from "./ports";
import { createExpiredStatePurge, PURGE_INTERVAL_MS } from "./purge";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function world() {
  const time = createFakeTime(T0);
  const nonces = createMemoryNonceStore();
  const sessions = createMemorySessionStore();
  const purged: string[] = [];
  const failures: string[] = [];
  const purge = createExpiredStatePurge({
    nonces,
    sessions,
    clock: time.clock,
    scheduler: time.scheduler,
    onPurged: (target, deleted) => purged.push(`${target}:${deleted}`),
    onFailure: (target, error) => failures.push(`${target}:${(error as Error).message}`),
  });
  const at = (ms: number) => new Date(T0 + ms);
  const session = (n: number, expiresIn: number) =>
    sessions.create({
      idHash: String(n).repeat(43),
      memberId: "1",
      createdAt: at(0),
      expiresAt: at(expiresIn),
    });
  return { time, nonces, sessions, purge, purged, failures, at, session };
}

describe("createExpiredStatePurge", () => {
  it("purges expired nonces and sessions at once, then again every interval and not before", async () => {
    const w = world();
    await w.nonces.consume({ nonce: "expired", expiresAt: w.at(-1), now: w.at(0) });
    await w.nonces.consume({ nonce: "later", expiresAt: w.at(60_000), now: w.at(0) });
    await w.session(1, -1);
    await w.session(2, PURGE_INTERVAL_MS + 1);
    const controller = new AbortController();
    const run = w.purge.run({ signal: controller.signal });
    await w.time.flush();
    expect(w.purged).toEqual(["nonces:1", "sessions:1"]);
    expect([w.nonces.size(), w.sessions.size()]).toEqual([1, 1]);
    await w.time.advance(PURGE_INTERVAL_MS - 1);
    expect(w.nonces.size()).toBe(1);
    await w.time.advance(1);
    expect(w.purged).toEqual(["nonces:1", "sessions:1", "nonces:1"]);
    expect([w.nonces.size(), w.sessions.size()]).toEqual([0, 1]);
    controller.abort();
    await run;
    expect(w.time.pending()).toBe(0);
  });

  it("a failing purge does not skip the other; it is reported and retried at the next interval", async () => {
    const w = world();
    let down = true;
    const flaky: SessionStore = {
      ...w.sessions,
      purgeExpired: async (input, opts) => {
        if (down) throw new Error("sessions down");
        return w.sessions.purgeExpired(input, opts);
      },
    };
    await w.session(1, -1);
    const purge = createExpiredStatePurge({
      nonces: createFailingNonces(),
      sessions: flaky,
      clock: w.time.clock,
      scheduler: w.time.scheduler,
      onFailure: (target, error) => w.failures.push(`${target}:${(error as Error).message}`),
      onPurged: (target, deleted) => w.purged.push(`${target}:${deleted}`),
    });
    const report = await purge.purgeOnce();
    expect(w.failures).toEqual(["nonces:nonces down", "sessions:sessions down"]);
    expect(report.sessions).toEqual({ error: expect.any(Error) });
    down = false;
    const controller = new AbortController();
    const run = purge.run({ signal: controller.signal });
    await w.time.flush();
    expect(w.purged).toEqual(["sessions:1"]);
    controller.abort();
    await run;
  });

  it("stops on abort without reporting the aborted purge as a failure", async () => {
    const w = world();
    const controller = new AbortController();
    const purge = createExpiredStatePurge({
      nonces: {
        consume: async () => true,
        purgeExpired: async () => {
          controller.abort();
          throw new Error("aborted");
        },
      },
      sessions: w.sessions,
      clock: w.time.clock,
      scheduler: w.time.scheduler,
      onFailure: (target) => w.failures.push(target),
    });
    await purge.run({ signal: controller.signal });
    expect(w.failures).toEqual([]);
    expect(w.time.pending()).toBe(0);
  });
});

function createFailingNonces() {
  return {
    consume: async () => true,
    purgeExpired: async (): Promise<number> => {
      throw new Error("nonces down");
    },
  };
}
