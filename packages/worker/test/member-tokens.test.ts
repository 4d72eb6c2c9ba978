import { createFakeTime } from "@guildkit/core/testing";
import type { MemberTokens } from "@guildkit/oauth-state";
import { describe, expect, it } from "vitest";
import type { WorkerContext } from "../src/context";
import { createMemberTokenTask } from "../src/member-tokens";

function context(store: unknown = { oauth: { memberTokens: {} } }) {
  const lines: { level: string; msg: string; obj: unknown }[] = [];
  const log = (level: string) => (obj: unknown, msg?: string) =>
    void lines.push({ level, msg: msg ?? String(obj), obj });
  const ctx = {
    store,
    settings: { discordApiBaseUrl: "http://127.0.0.1:9" },
    logger: { info: log("info"), warn: log("warn"), debug: log("debug"), error: log("error") },
  } as unknown as WorkerContext;
  return { ctx, lines };
}

function fakeTokens(fail = 0) {
  const calls: string[] = [];
  let failures = fail;
  const tokens = {
    async refreshExpiring(input: { limit: number; aheadMs?: number }) {
      calls.push(`refresh:${input.limit}:${input.aheadMs}`);
      if (failures-- > 0) throw new Error("database is down");
      return { done: 2, consentNeeded: 1, failed: 0 };
    },
    async sweepOrphans(input: { limit: number }) {
      calls.push(`sweep:${input.limit}`);
      return { done: 1, consentNeeded: 0, failed: 0 };
    },
  } as unknown as MemberTokens;
  return { tokens, calls };
}

describe("the member-tokens task", () => {
  it("refreshes grants expiring within a day and sweeps orphans at start and then every interval", async () => {
    const time = createFakeTime(0);
    const { tokens, calls } = fakeTokens();
    const { ctx, lines } = context();
    const stop = new AbortController();
    const running = createMemberTokenTask({
      intervalMs: 3_600_000,
      batch: 50,
      scheduler: time.scheduler,
      tokens,
    }).run(ctx, stop.signal);
    await time.flush();
    expect(calls).toEqual([`refresh:50:${86_400_000}`, "sweep:50"]);
    await time.advance(3_599_999);
    expect(calls).toHaveLength(2);
    await time.advance(1);
    expect(calls).toHaveLength(4);
    expect(lines.filter((l) => l.msg === "member tokens: refreshed and revoked grants")).toHaveLength(2);
    stop.abort();
    await running;
  });

  it("logs a failed pass and tries again at the next interval", async () => {
    const time = createFakeTime(0);
    const { tokens, calls } = fakeTokens(1);
    const { ctx, lines } = context();
    const stop = new AbortController();
    const running = createMemberTokenTask({ intervalMs: 1000, scheduler: time.scheduler, tokens }).run(
      ctx,
      stop.signal,
    );
    await time.advance(1000);
    expect(calls.filter((c) => c.startsWith("refresh"))).toHaveLength(2);
    expect(lines.map((l) => l.msg)).toContain("member token pass failed; retrying at the next interval");
    stop.abort();
    await running;
  });

  it("idles on a store without the login feature", async () => {
    const time = createFakeTime(0);
    const { tokens, calls } = fakeTokens();
    const { ctx, lines } = context({});
    await createMemberTokenTask({ scheduler: time.scheduler, tokens }).run(ctx, new AbortController().signal);
    expect(calls).toEqual([]);
    expect(lines[0]?.msg).toMatch(/does not serve the login feature/);
  });
});
