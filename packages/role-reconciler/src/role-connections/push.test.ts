import { GuildkitError } from "@guildkit/core";
import { createFakeTime, createMemoryEventLog } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import type { RoleConnectionBody, RoleConnectionClient } from "./ports";
import { createRoleConnectionPusher, type RoleConnectionPusherOptions } from "./push";
import { createMemoryRoleConnectionQueue } from "./testing/memory-queue";
import { createMemoryTokenSource } from "./testing/memory-tokens";
import type { MemberGrant } from "./token-source";

const D1 = "80351110224678912";
const grant = (accessToken: string, scopes = ["identify", "role_connections.write"]): MemberGrant => ({
  accessToken,
  expiresAt: new Date("2026-01-08T00:00:00Z"),
  scopes,
});
const http = (status: number, retryAfterMs: number | null = null) =>
  new GuildkitError(`Discord answered ${status}`, {
    retryable: status === 429 || status >= 500,
    status,
    retryAfterMs,
  });

/** A Discord stand-in: records each push; `answer(token)` throws to fail it. */
function fakeDiscord(answer: (token: string, body: RoleConnectionBody) => void = () => {}) {
  const pushes: { token: string; body: RoleConnectionBody }[] = [];
  const client: RoleConnectionClient = {
    async putRoleConnection({ accessToken, body }) {
      pushes.push({ token: accessToken, body });
      answer(accessToken, body);
    },
  };
  return { client, pushes };
}

function setup(options: {
  answer?: (token: string, body: RoleConnectionBody) => void;
  refresh?: (memberId: string) => Promise<MemberGrant | null>;
  pusher?: Partial<RoleConnectionPusherOptions>;
}) {
  const time = createFakeTime(Date.UTC(2026, 0, 1));
  const queue = createMemoryRoleConnectionQueue();
  const tokens = createMemoryTokenSource({
    refresh: options.refresh ? (id) => options.refresh!(id) : undefined,
  });
  const discord = fakeDiscord(options.answer);
  const eventLog = createMemoryEventLog();
  const pusher = createRoleConnectionPusher(
    { queue, tokens, client: discord.client, clock: time.clock, eventLog },
    { random: () => 0, ...options.pusher },
  );
  const now = () => new Date(time.now());
  const want = (desired: Record<string, string> | null, memberId = "1") =>
    queue.setDesired({ entries: [{ memberId, discordUserId: D1, desired }], now: now() });
  return { time, queue, tokens, discord, eventLog, pusher, now, want };
}

describe("createRoleConnectionPusher", () => {
  it("pushes changed metadata once, then nothing while it stays the same; losing entitlement clears it", async () => {
    const s = setup({ pusher: { platformName: "guildkit" } });
    s.tokens.set("1", grant("tok-1"));
    await s.want({ paying: "1", tier: "3" });
    expect(await s.pusher.drain()).toMatchObject({ claimed: 1, pushed: 1 });
    expect(s.discord.pushes).toEqual([
      { token: "tok-1", body: { platform_name: "guildkit", metadata: { paying: "1", tier: "3" } } },
    ]);
    expect(await s.want({ tier: "3", paying: "1" })).toBe(0);
    expect(await s.pusher.drain()).toMatchObject({ claimed: 0 });
    await s.time.advance(5_000);
    await s.want(null);
    expect(await s.pusher.drain()).toMatchObject({ cleared: 1 });
    expect(s.discord.pushes[1]).toEqual({ token: "tok-1", body: { metadata: {} } });
    expect(await s.queue.get({ memberId: "1" })).toMatchObject({
      state: "synced",
      desired: null,
      pushed: null,
    });
  });

  it("on a 401 refreshes the token once and pushes again with the new token", async () => {
    const s = setup({
      answer: (token) => {
        if (token === "old") throw http(401);
      },
      refresh: async () => grant("new"),
    });
    s.tokens.set("1", grant("old"));
    await s.want({ paying: "1" });
    expect(await s.pusher.drain()).toMatchObject({ pushed: 1, needsConsent: 0 });
    expect(s.discord.pushes.map((p) => p.token)).toEqual(["old", "new"]);
    expect(s.tokens.calls.refresh.get("1")).toBe(1);
  });

  it("a refused refresh marks the member needs_consent, logs it, and skips it until marked due", async () => {
    const s = setup({
      answer: () => {
        throw http(401);
      },
      refresh: async () => null,
    });
    s.tokens.set("1", grant("old"));
    await s.want({ paying: "1" });
    expect(await s.pusher.drain()).toMatchObject({ needsConsent: 1 });
    expect(await s.queue.get({ memberId: "1" })).toMatchObject({ state: "needs_consent", nextDueAt: null });
    expect(s.eventLog.ofKind("role_connection.needs_consent")).toHaveLength(1);
    expect(s.discord.pushes).toHaveLength(1);
    await s.time.advance(3_600_000);
    expect(await s.pusher.drain()).toMatchObject({ claimed: 0 });
  });

  it("a refreshed token refused again is needs_consent after exactly one refresh", async () => {
    const s = setup({
      answer: () => {
        throw http(401);
      },
      refresh: async () => grant("new"),
    });
    s.tokens.set("1", grant("old"));
    await s.want({ paying: "1" });
    expect(await s.pusher.drain()).toMatchObject({ needsConsent: 1 });
    expect(s.tokens.calls.refresh.get("1")).toBe(1);
    expect(s.discord.pushes.map((p) => p.token)).toEqual(["old", "new"]);
  });

  it("skips a member without a grant (no_grant) and one whose grant lacks role_connections.write (needs_consent)", async () => {
    const s = setup({});
    await s.want({ paying: "1" }, "1");
    s.tokens.set("2", grant("t2", ["identify"]));
    await s.want({ paying: "1" }, "2");
    expect(await s.pusher.drain()).toMatchObject({ noGrant: 1, needsConsent: 1 });
    expect(s.discord.pushes).toEqual([]);
    s.tokens.set("1", grant("t1"));
    expect(await s.queue.markDue({ now: s.now(), states: ["no_grant"] })).toBe(1);
    expect(await s.pusher.drain()).toMatchObject({ pushed: 1 });
  });

  it("backs off on a 429 with retry_after as a floor, then pushes when due", async () => {
    let limited = true;
    const s = setup({
      answer: () => {
        if (limited) throw http(429, 90_000);
      },
    });
    s.tokens.set("1", grant("t"));
    await s.want({ paying: "1" });
    expect(await s.pusher.drain()).toMatchObject({ retrying: 1 });
    const row = await s.queue.get({ memberId: "1" });
    expect(row).toMatchObject({ state: "retrying", attempts: 1 });
    expect(row!.nextDueAt!.getTime() - s.time.now()).toBe(90_000);
    limited = false;
    await s.time.advance(89_000);
    expect(await s.pusher.drain()).toMatchObject({ claimed: 0 });
    await s.time.advance(1_000);
    expect(await s.pusher.drain()).toMatchObject({ pushed: 1 });
    expect(await s.queue.get({ memberId: "1" })).toMatchObject({ state: "synced", attempts: 0 });
  });

  it("paces each user to one push per minPushIntervalMs", async () => {
    const s = setup({ pusher: { minPushIntervalMs: 1_000 } });
    s.tokens.set("1", grant("t"));
    await s.want({ tier: "1" });
    await s.pusher.drain();
    await s.time.advance(200);
    await s.want({ tier: "2" });
    expect(await s.pusher.drain()).toMatchObject({ claimed: 1, skipped: 1, pushed: 0 });
    expect((await s.queue.get({ memberId: "1" }))!.nextDueAt!.getTime()).toBe(Date.UTC(2026, 0, 1) + 1_000);
    await s.time.advance(800);
    expect(await s.pusher.drain()).toMatchObject({ pushed: 1 });
    expect(s.discord.pushes.map((p) => p.body.metadata.tier)).toEqual(["1", "2"]);
  });

  it("a refused body is a permanent error with a hint to register the schema, logged once", async () => {
    const s = setup({
      answer: () => {
        throw http(400);
      },
    });
    s.tokens.set("1", grant("t"));
    await s.want({ paying: "1" });
    expect(await s.pusher.drain()).toMatchObject({ permanentErrors: 1 });
    const row = await s.queue.get({ memberId: "1" });
    expect(row?.lastError).toMatch(/guildkit linked-roles register/);
    expect(row!.nextDueAt!.getTime() - s.time.now()).toBe(21_600_000);
    expect(s.eventLog.ofKind("role_connection.permanent_error")).toHaveLength(1);
  });

  it("a change recorded while the push was in flight keeps the member due", async () => {
    let s!: ReturnType<typeof setup>;
    let once = true;
    s = setup({
      answer: () => {
        if (once) {
          once = false;
          void s.want({ paying: "1", tier: "9" });
        }
      },
    });
    s.tokens.set("1", grant("t"));
    await s.want({ paying: "1" });
    await s.pusher.runOnce();
    expect(await s.queue.countDue({ now: s.now() })).toBe(1);
  });
});
