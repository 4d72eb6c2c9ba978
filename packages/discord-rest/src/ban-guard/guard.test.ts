import { createInstantTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { DiscordBanGuardError } from "../errors";
import { createBanGuard } from "./guard";
import { createMemoryInvalidRequestLedger, type InvalidRequestLedger } from "./ledger";

const ROUTE = "PUT /guilds/:guild/members/:user/roles/:role";

function setup(options: Parameters<typeof createBanGuard>[0] = {}) {
  const time = createInstantTime(Date.UTC(2026, 0, 1));
  const lines: Record<string, unknown>[] = [];
  const guard = createBanGuard(
    { slowAt: 5, stopAt: 10, maxSlowdownMs: 500, refreshMs: 0, ...options },
    {
      clock: time.clock,
      scheduler: time.scheduler,
      logger: { debug() {}, warn: (_m, d) => lines.push(d ?? {}) },
    },
  );
  /** n calls Discord refuses (403), one after the other. */
  const storm = async (n: number) => {
    for (let i = 0; i < n; i++) await (await guard.admit(ROUTE)).invalid();
  };
  return { time, guard, lines, storm };
}

describe("the ban guard", () => {
  it("does nothing below slowAt", async () => {
    const { time, guard, storm } = setup();
    await storm(4);
    await guard.admit(ROUTE);
    expect(time.waits).toEqual([]);
    expect(guard.snapshot()).toMatchObject({ state: "normal", invalidRequests: 4 });
  });

  it("slows calls from slowAt on, longer as the count nears stopAt", async () => {
    const { time, guard, storm, lines } = setup();
    await storm(5);
    await guard.admit(ROUTE);
    await storm(3);
    await guard.admit(ROUTE);
    expect(time.waits).toEqual([100, 200, 300, 400, 500]);
    expect(lines[0]).toMatchObject({ state: "slowing", previous: "normal", invalidRequestsLast10Min: 5 });
  });

  it("refuses every call at stopAt with a retryable error saying when calls resume, then reopens as the window slides", async () => {
    const { time, guard, storm, lines } = setup();
    await storm(10);
    const error = await guard.admit(ROUTE).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordBanGuardError);
    expect(error).toMatchObject({
      retryable: true,
      code: "ban_guard_stopped",
      invalidRequests: 10,
      route: ROUTE,
    });
    const retryAfterMs = (error as DiscordBanGuardError).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(9 * 60_000);
    expect(retryAfterMs).toBeLessThanOrEqual(10 * 60_000 + 1000);
    expect(guard.snapshot()).toMatchObject({ state: "stopped", refused: 1 });
    expect(lines.at(-1)).toMatchObject({ state: "stopped", stopAt: 10 });

    await time.advance(retryAfterMs);
    await guard.admit(ROUTE);
    expect(guard.snapshot().state).toBe("normal");
    expect(lines.at(-1)).toMatchObject({ state: "normal", previous: "stopped" });
  });

  it("counts calls in flight while slowing: never more than stopAt sent, a valid answer gives its place back", async () => {
    const { guard, storm } = setup();
    await storm(7);
    // Three calls in flight at once take the places up to stopAt; a fourth is refused before it is sent.
    const inFlight = await Promise.all([1, 2, 3].map(() => guard.admit(ROUTE)));
    await expect(guard.admit(ROUTE)).rejects.toBeInstanceOf(DiscordBanGuardError);
    await inFlight[0]!.release(); // answered 200: not invalid
    const next = await guard.admit(ROUTE);
    await Promise.all([...inFlight.slice(1), next].map((t) => t.invalid()));
    expect(guard.snapshot()).toMatchObject({ state: "stopped", invalidRequests: 10 });
  });

  it("lets essential routes through whatever the count", async () => {
    const { guard, storm } = setup({ essentialRoutes: ["GET /users/@me"] });
    await storm(10);
    await expect(guard.admit("GET /users/@me")).resolves.toHaveProperty("invalid");
    await expect(guard.admit(ROUTE)).rejects.toBeInstanceOf(DiscordBanGuardError);
  });

  it("counts in the process when the shared ledger fails", async () => {
    const broken: InvalidRequestLedger = {
      add: () => Promise.reject(new Error("ECONNREFUSED")),
      count: () => Promise.reject(new Error("ECONNREFUSED")),
      msUntilBelow: () => Promise.reject(new Error("ECONNREFUSED")),
      remove: () => Promise.reject(new Error("ECONNREFUSED")),
    };
    const { guard, storm } = setup({ ledger: broken });
    await storm(10);
    await expect(guard.admit(ROUTE)).rejects.toBeInstanceOf(DiscordBanGuardError);
  });

  it("refuses thresholds past Discord's ban or out of order", () => {
    expect(() => setup({ stopAt: 10_000 })).toThrow(RangeError);
    expect(() => setup({ slowAt: 20, stopAt: 10 })).toThrow(RangeError);
  });
});

describe("the memory ledger", () => {
  it("says when the window falls below a count", async () => {
    const time = createInstantTime(Date.UTC(2026, 0, 1));
    const ledger = createMemoryInvalidRequestLedger({ clock: time.clock, windowMs: 60_000 });
    await ledger.add();
    await time.advance(10_000);
    await ledger.add();
    expect(await ledger.count()).toBe(2);
    expect(await ledger.msUntilBelow(3)).toBe(0);
    expect(await ledger.msUntilBelow(2)).toBe(51_000);
    expect(await ledger.msUntilBelow(1)).toBe(61_000);
    await time.advance(51_000);
    expect(await ledger.count()).toBe(1);
  });
});
