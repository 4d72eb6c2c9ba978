import { describe, expect, it } from "vitest";
import { MemberTokenError } from "./member-token-errors";
import type { GrantedTokens, MemberGrantClient } from "./member-token-ports";
import { createMemberTokens } from "./member-tokens";
import { createMemoryMemberTokenStore } from "./memory-member-token-store";
import type { EventLogEntry } from "./ports";

const T0 = new Date("2026-12-01T12:00:00.000Z");
const DAY = 86_400_000;

/** A Discord token endpoint stand-in: answers or throws what the test queues, and counts calls. */
function fakeClient() {
  const calls: { refresh: string[]; revoke: string[] } = { refresh: [], revoke: [] };
  let next = 0;
  const failures: unknown[] = [];
  const revokeFailures: unknown[] = [];
  let beforeAnswer: (() => Promise<void>) | null = null;
  const client: MemberGrantClient = {
    async refresh({ refreshToken }) {
      calls.refresh.push(refreshToken);
      await beforeAnswer?.();
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      next += 1;
      return {
        accessToken: `access-${next}`,
        refreshToken: `refresh-${next}`,
        expiresInSeconds: 604_800,
        scopes: ["identify", "guilds.join"],
      } satisfies GrantedTokens;
    },
    async revoke({ token }) {
      calls.revoke.push(token);
      const failure = revokeFailures.shift();
      if (failure !== undefined) throw failure;
    },
  };
  return {
    client,
    calls,
    fail: (error: unknown) => failures.push(error),
    failRevoke: (error: unknown) => revokeFailures.push(error),
    before: (fn: () => Promise<void>) => {
      beforeAnswer = fn;
    },
  };
}

const oauthError = (status: number, error: string, retryable = false) =>
  Object.assign(new Error(`${status} ${error}`), { status, error, retryable });

async function world(expiresInMs = 7 * DAY) {
  let now = T0;
  const store = createMemoryMemberTokenStore({ linkedDiscordUserId: () => "80000000000000001" });
  const discord = fakeClient();
  const events: EventLogEntry[] = [];
  const tokens = createMemberTokens({
    store,
    client: discord.client,
    clock: { now: () => now },
    eventLog: { append: async (entry) => void events.push(entry) },
  });
  await store.save({
    memberId: "m1",
    discordUserId: "80000000000000001",
    accessToken: "access-0",
    refreshToken: "refresh-0",
    scopes: ["identify", "guilds.join"],
    expiresAt: new Date(T0.getTime() + expiresInMs),
    now: T0,
  });
  return {
    store,
    discord,
    events,
    tokens,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

describe("createMemberTokens", () => {
  it("accessToken hands the kept token out without calling Discord while it is far from expiry", async () => {
    const { tokens, discord } = await world();
    expect(await tokens.accessToken("m1")).toEqual({
      accessToken: "access-0",
      expiresAt: new Date(T0.getTime() + 7 * DAY),
      scopes: ["identify", "guilds.join"],
    });
    expect(discord.calls.refresh).toEqual([]);
    expect(await tokens.accessToken("nobody")).toBeNull();
  });

  it("accessToken refreshes within the margin and stores the rotated pair; the expiry counts from now", async () => {
    const { tokens, discord, store, advance } = await world();
    advance(7 * DAY - 5 * 60_000);
    const grant = await tokens.accessToken("m1");
    expect(discord.calls.refresh).toEqual(["refresh-0"]);
    expect(grant?.accessToken).toBe("access-1");
    expect(store.peek("m1")).toMatchObject({ accessToken: "access-1", refreshToken: "refresh-1" });
    expect(grant?.expiresAt).toEqual(new Date(T0.getTime() + 14 * DAY - 5 * 60_000));
  });

  it("concurrent refreshes of one member make one call to Discord", async () => {
    const { tokens, discord } = await world();
    const [a, b, c] = await Promise.all([tokens.refresh("m1"), tokens.refresh("m1"), tokens.refresh("m1")]);
    expect(discord.calls.refresh).toHaveLength(1);
    expect([a?.accessToken, b?.accessToken, c?.accessToken]).toEqual(["access-1", "access-1", "access-1"]);
  });

  it("a refusal (invalid_grant) marks the link for re-consent once, logged without a token; later reads are null", async () => {
    const { tokens, discord, store, events } = await world();
    discord.fail(oauthError(400, "invalid_grant"));
    expect(await tokens.refresh("m1")).toBeNull();
    expect(store.peek("m1")?.consentNeededAt).toEqual(T0);
    expect(await tokens.accessToken("m1")).toBeNull();
    expect(await tokens.refresh("m1")).toBeNull();
    expect(discord.calls.refresh).toHaveLength(1);
    expect(events).toMatchObject([
      { kind: "oauth.token", level: "warn", data: { outcome: "consent_needed" } },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/access-0|refresh-0/);
  });

  it("losing a race to another process is not a refusal: its rotated tokens are returned, nothing marked", async () => {
    const { tokens, discord, store } = await world();
    discord.before(async () => {
      // Another worker refreshed meanwhile: our refresh token was rotated away.
      const kept = store.peek("m1");
      await store.replace({
        memberId: "m1",
        version: kept?.version ?? 0,
        accessToken: "access-other",
        refreshToken: "refresh-other",
        scopes: ["identify"],
        expiresAt: new Date(T0.getTime() + 7 * DAY),
        now: T0,
      });
    });
    discord.fail(oauthError(400, "invalid_grant"));
    expect((await tokens.refresh("m1"))?.accessToken).toBe("access-other");
    expect(store.peek("m1")?.consentNeededAt).toBeNull();
  });

  it("Discord failing (503, network) or refusing the client (invalid_client) throws MemberTokenError and keeps the grant", async () => {
    const { tokens, discord, store, events } = await world();
    discord.fail(oauthError(503, "http_error", true));
    const unavailable = await tokens.refresh("m1").catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(MemberTokenError);
    expect(unavailable).toMatchObject({ code: "refresh_failed", retryable: true, status: 503 });
    discord.fail(oauthError(401, "invalid_client"));
    expect(await tokens.refresh("m1").catch((e: unknown) => e)).toMatchObject({
      retryable: false,
      status: 401,
    });
    discord.fail(Object.assign(new Error("ECONNRESET"), { retryable: true }));
    expect(await tokens.refresh("m1").catch((e: unknown) => e)).toMatchObject({ retryable: true });
    expect(store.peek("m1")).toMatchObject({ accessToken: "access-0", consentNeededAt: null });
    expect(events.map((e) => e.data?.outcome)).toEqual([
      "refresh_failed",
      "refresh_failed",
      "refresh_failed",
    ]);
  });

  it("a grant without a refresh token needs re-consent when it must be refreshed", async () => {
    const { tokens, store, discord } = await world();
    const kept = store.peek("m1");
    await store.save({ ...kept!, refreshToken: null, now: T0 });
    expect(await tokens.refresh("m1")).toBeNull();
    expect(store.peek("m1")?.consentNeededAt).toEqual(T0);
    expect(discord.calls.refresh).toEqual([]);
  });

  it("revoke revokes the refresh token at Discord and deletes; Discord unreachable keeps the grant, a 400 deletes anyway", async () => {
    const { tokens, discord, store } = await world();
    discord.failRevoke(oauthError(503, "http_error", true));
    await expect(tokens.revoke("m1")).rejects.toMatchObject({
      name: "MemberTokenError",
      code: "revoke_failed",
    });
    expect(store.peek("m1")).not.toBeNull();
    discord.failRevoke(oauthError(400, "invalid_request"));
    expect(await tokens.revoke("m1")).toBe(true);
    expect(store.peek("m1")).toBeNull();
    expect(discord.calls.revoke).toEqual(["refresh-0", "refresh-0"]);
    expect(await tokens.revoke("m1")).toBe(false);
  });

  it("refreshExpiring refreshes what expires within the window, counting refusals and failures apart", async () => {
    const { tokens, discord, store } = await world(2 * 3_600_000);
    for (const id of ["m2", "m3", "m4"]) {
      await store.save({
        memberId: id,
        discordUserId: "80000000000000001",
        accessToken: `a-${id}`,
        refreshToken: `r-${id}`,
        scopes: [],
        expiresAt: new Date(T0.getTime() + (id === "m4" ? 3 * DAY : 3_600_000)),
        now: T0,
      });
    }
    discord.fail(oauthError(400, "invalid_grant")); // m2 (soonest with m3; ids break the tie)
    discord.fail(oauthError(502, "http_error", true)); // m3
    expect(await tokens.refreshExpiring({ limit: 10 })).toEqual({ done: 1, consentNeeded: 1, failed: 1 });
    expect(discord.calls.refresh).toEqual(["r-m2", "r-m3", "refresh-0"]);
  });
});
