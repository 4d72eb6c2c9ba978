import { describe, expect, it } from "vitest";
import {
  createMemoryEventLog,
  createStore,
  discordError,
  FakeGuild,
  FakeTime,
  flush,
  GUILD,
  ROLE_GOLD,
  ROLE_PAID,
  ROLE_SILVER,
  uid,
} from "../test/fakes";
import { defaultRules, type EntitlementRule } from "./entitlement";
import { createRoleReconciler, type ReconcilerOptions, type RunOptions } from "./reconcile";

const H = 3_600_000;
const INTERVAL = 24 * H;

function setup(opts: { rules?: EntitlementRule[]; options?: Partial<ReconcilerOptions> } = {}) {
  const time = new FakeTime();
  const store = createStore(time);
  const guild = new FakeGuild();
  const log = createMemoryEventLog();
  const make = (owner = "w1") =>
    createRoleReconciler({
      queue: store.queue,
      ledger: store.ledger,
      members: store.linkedMembers,
      profiles: store.profiles,
      eventLog: log,
      clock: time.clock,
      scheduler: time.scheduler,
      owner,
      random: () => 0,
      options: opts.options,
    });
  const reconciler = make();
  const settings = {
    guildId: GUILD,
    rules: opts.rules ?? defaultRules([ROLE_PAID]),
    syncIntervalMs: INTERVAL,
  };
  const run = (extra: Partial<RunOptions> = {}, r = reconciler) =>
    r.runOnce({ settings, gateway: guild.gateway, ...extra });
  const drain = (extra: Partial<RunOptions> = {}, r = reconciler) =>
    r.drain({ settings, gateway: guild.gateway, ...extra });
  return { time, store, guild, log, reconciler, make, settings, run, drain };
}

/** A linked, paying member `n` who is in the guild without the role. */
function paidMember(t: ReturnType<typeof setup>, n: number, roles: string[] = []) {
  t.guild.add(uid(n), { roles });
  t.store.insertMember({ id: String(n), discordUserId: uid(n), attrs: { payment_status: "active" } });
}

describe("reconciliation", () => {
  it("converges a guild: adds and removes only what differs, with an audit-log reason, and logs each change", async () => {
    const t = setup();
    const OTHER = "900000000000000077";
    t.guild.add(uid(1), { roles: [OTHER] });
    t.guild.add(uid(2), { roles: [ROLE_PAID, OTHER] });
    t.guild.add(uid(3), { roles: [ROLE_PAID] });
    t.guild.add(uid(4));
    t.guild.add(uid(5));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    t.store.insertMember({ id: "2", discordUserId: uid(2), attrs: { payment_status: null } });
    t.store.insertMember({ id: "3", discordUserId: uid(3), attrs: { payment_status: "active" } });
    t.store.insertMember({ id: "4", discordUserId: uid(4), attrs: { payment_status: "" } });
    t.store.insertMember({ id: "5", discordUserId: null, attrs: { payment_status: "active" } });

    const summary = await t.drain();

    expect(t.guild.roles(uid(1))).toEqual([OTHER, ROLE_PAID].sort());
    expect(t.guild.roles(uid(2))).toEqual([OTHER]);
    expect(t.guild.roles(uid(3))).toEqual([ROLE_PAID]);
    expect(t.guild.roles(uid(4))).toEqual([]);
    expect(t.guild.roles(uid(5))).toEqual([]);
    const changes = t.guild.calls.filter((c) => c.op === "addRole" || c.op === "removeRole");
    expect(changes).toEqual([
      {
        op: "addRole",
        userId: uid(1),
        roleId: ROLE_PAID,
        reason: "guildkit: member 1 entitled (payment_status is set)",
      },
      {
        op: "removeRole",
        userId: uid(2),
        roleId: ROLE_PAID,
        reason: "guildkit: member 2 is no longer entitled",
      },
    ]);
    expect(summary).toMatchObject({ processed: 4, added: 1, removed: 1, transientErrors: 0 });
    const added = t.log.ofKind("role.added");
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      memberId: "1",
      discordUserId: uid(1),
      data: { roleId: ROLE_PAID, guildId: GUILD },
    });
    expect(t.log.ofKind("role.removed")[0]).toMatchObject({ memberId: "2", discordUserId: uid(2) });
    for (const id of ["1", "2", "3", "4"]) {
      expect(t.store.row(id)).toMatchObject({ state: "ok", attempts: 0, leaseOwner: null, dirty: false });
      expect(t.store.row(id)?.nextDueAt).toBe(t.time.nowMs + 0.9 * INTERVAL);
    }
    expect(t.store.row("5")).toBeUndefined();
    expect(t.store.grantKeys()).toEqual([`1|${uid(1)}|${ROLE_PAID}`, `3|${uid(3)}|${ROLE_PAID}`]);
  });

  it("refreshes the display name (nick > global_name > username) and stores the avatar bytes with their hash", async () => {
    const t = setup();
    t.guild.add(uid(1), {
      username: "alice",
      globalName: "Alice",
      nick: "Al",
      userAvatar: "u1",
      avatar: "g1",
    });
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "x" } });
    await t.drain();
    const row = t.store.members.get("1")!;
    expect(row.displayName).toBe("Al");
    expect(row.avatarHash).toBe("g1");
    expect(new TextDecoder().decode(row.avatarBytes!)).toBe("png:guild:g1");
  });

  it("downloads an avatar only when its hash changed", async () => {
    const t = setup();
    t.guild.add(uid(1), { userAvatar: "u1" });
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "x" } });
    await t.drain();
    expect(t.guild.count("fetchAvatar")).toBe(1);
    await t.store.queue.markDue({ now: t.time.clock.now(), memberIds: ["1"] });
    await t.drain();
    expect(t.guild.count("fetchAvatar")).toBe(1);
    t.guild.members.get(uid(1))!.user.avatar = "u2";
    await t.store.queue.markDue({ now: t.time.clock.now(), memberIds: ["1"] });
    await t.drain();
    expect(t.guild.count("fetchAvatar")).toBe(2);
    expect(t.store.members.get("1")?.avatarHash).toBe("u2");
  });

  it("a failed avatar download never blocks the role change", async () => {
    const t = setup();
    t.guild.add(uid(1), { userAvatar: "u1", username: "bob" });
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "x" } });
    t.guild.avatarError = discordError(503, null);
    const summary = await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    expect(summary.added).toBe(1);
    expect(t.store.row("1")).toMatchObject({ state: "ok", attempts: 0 });
    expect(t.store.members.get("1")).toMatchObject({ displayName: "bob", avatarHash: null });
    expect(t.log.ofKind("discord.api_error")[0]).toMatchObject({ data: { operation: "fetch_avatar" } });
    // The next check retries the download.
    t.guild.avatarError = null;
    await t.store.queue.markDue({ now: t.time.clock.now(), memberIds: ["1"] });
    await t.drain();
    expect(t.store.members.get("1")?.avatarHash).toBe("u1");
  });

  it("a member not in the guild gets no role call, keeps its profile, and is re-checked on the normal interval", async () => {
    const t = setup();
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    t.store.members.get("1")!.displayName = "kept";
    t.store.members.get("1")!.avatarHash = "kept-hash";
    const summary = await t.drain();
    expect(summary.notInGuild).toBe(1);
    expect(t.guild.count("addRole")).toBe(0);
    expect(t.store.row("1")).toMatchObject({ state: "not_in_guild", attempts: 0, lastError: null });
    expect(t.store.row("1")?.nextDueAt).toBe(t.time.nowMs + 0.9 * INTERVAL);
    expect(t.store.members.get("1")).toMatchObject({ displayName: "kept", avatarHash: "kept-hash" });
    expect(t.log.ofKind("role.not_in_guild")).toHaveLength(1);
    // Re-checked later: still not in the guild, logged only once.
    t.time.advance(0.9 * INTERVAL);
    await t.drain();
    expect(t.log.ofKind("role.not_in_guild")).toHaveLength(1);
    // Joins the guild: the next check grants the role.
    t.guild.add(uid(1));
    t.time.advance(0.9 * INTERVAL);
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    expect(t.store.row("1")?.state).toBe("ok");
  });

  it("maps a tier column to several roles and moves a member between tiers", async () => {
    const CHAT = "900000000000000004";
    const rules: EntitlementRule[] = [
      { kind: "map", column: "tier", values: { gold: [ROLE_GOLD, CHAT], silver: [ROLE_SILVER, CHAT] } },
    ];
    const t = setup({ rules });
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { tier: "gold" } });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_GOLD, CHAT].sort());
    t.store.updateMember("1", { attrs: { tier: "silver" } });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_SILVER, CHAT].sort());
    const calls = t.guild.calls.filter((c) => c.op === "addRole" || c.op === "removeRole").slice(2);
    expect(calls.map((c) => `${c.op}:${c.roleId}`)).toEqual([
      `addRole:${ROLE_SILVER}`,
      `removeRole:${ROLE_GOLD}`,
    ]);
    t.store.updateMember("1", { attrs: { tier: null } });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
  });
});

describe("revocation", () => {
  it("unlinking revokes the role from the account that held it", async () => {
    const t = setup();
    paidMember(t, 1);
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    t.store.updateMember("1", { discordUserId: null });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.guild.calls.at(-1)).toMatchObject({
      op: "removeRole",
      reason: "guildkit: Discord account unlinked from member 1",
    });
    expect(t.store.grantKeys()).toEqual([]);
    expect(t.store.row("1")).toMatchObject({ state: "unlinked", nextDueAt: null });
    expect(t.log.ofKind("role.removed")[0]).toMatchObject({ memberId: "1", discordUserId: uid(1) });
  });

  it("relinking to another account moves the role", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.add(uid(2));
    await t.drain();
    t.store.updateMember("1", { discordUserId: uid(2) });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.guild.roles(uid(2))).toEqual([ROLE_PAID]);
    expect(t.store.grantKeys()).toEqual([`1|${uid(2)}|${ROLE_PAID}`]);
  });

  it("deleting a member revokes its role and then forgets its sync row", async () => {
    const t = setup();
    paidMember(t, 1);
    await t.drain();
    t.store.deleteMember("1");
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.guild.calls.at(-1)).toMatchObject({
      op: "removeRole",
      reason: "guildkit: member 1 was deleted",
    });
    expect(t.store.row("1")).toBeUndefined();
    expect(t.store.grantKeys()).toEqual([]);
  });

  it("revokes from the old account even if the member was relinked twice before a sync", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.add(uid(2));
    t.guild.add(uid(3));
    await t.drain();
    t.store.updateMember("1", { discordUserId: uid(2) });
    t.store.updateMember("1", { discordUserId: uid(3) });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.guild.roles(uid(2))).toEqual([]);
    expect(t.guild.roles(uid(3))).toEqual([ROLE_PAID]);
  });

  it("a revocation that fails transiently is retried with its grants kept", async () => {
    const t = setup();
    paidMember(t, 1);
    await t.drain();
    t.store.updateMember("1", { discordUserId: null });
    t.guild.nextErrors.set("removeRole", [discordError(503, null)]);
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    expect(t.store.row("1")).toMatchObject({ state: "retrying", attempts: 1 });
    expect(t.store.grantKeys()).toHaveLength(1);
    t.time.advance(300_000);
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.store.row("1")).toMatchObject({ state: "unlinked", attempts: 0 });
  });
});

describe("one Discord account linked to two members", () => {
  it("holds the union of their entitlements and never flaps", async () => {
    const t = setup();
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    t.store.insertMember({ id: "2", discordUserId: uid(1), attrs: { payment_status: null } });
    for (let round = 0; round < 5; round += 1) {
      await t.store.queue.markDue({ now: t.time.clock.now(), memberIds: ["1", "2"] });
      await t.drain();
    }
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    expect(t.guild.count("addRole")).toBe(1);
    expect(t.guild.count("removeRole")).toBe(0);
    // Only when no linked member is entitled does the role go.
    t.store.updateMember("1", { attrs: { payment_status: null } });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.guild.calls.at(-1)?.reason).toBe("guildkit: none of members 2, 1 is entitled");
  });

  it("unlinking the entitled member removes the role; unlinking the other keeps it", async () => {
    const t = setup();
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    t.store.insertMember({ id: "2", discordUserId: uid(1), attrs: { payment_status: "active" } });
    await t.drain();
    t.store.updateMember("1", { discordUserId: null });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    t.store.updateMember("2", { discordUserId: null });
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
  });
});

describe("failures", () => {
  it("a transient failure retries after 300 s, then 600 s; a success resets the attempts", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.nextErrors.set("addRole", [discordError(502, null), discordError(null, null)]);
    await t.drain();
    expect(t.store.row("1")).toMatchObject({ state: "retrying", attempts: 1 });
    expect(t.store.row("1")?.nextDueAt).toBe(t.time.nowMs + 300_000);
    expect(t.store.row("1")?.lastError).toMatch(/will retry/);
    t.time.advance(299_999);
    expect((await t.drain()).processed).toBe(0);
    t.time.advance(1);
    await t.drain();
    expect(t.store.row("1")).toMatchObject({ state: "retrying", attempts: 2 });
    expect(t.store.row("1")?.nextDueAt).toBe(t.time.nowMs + 600_000);
    t.time.advance(600_000);
    await t.drain();
    expect(t.store.row("1")).toMatchObject({ state: "ok", attempts: 0, lastError: null });
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    expect(t.log.ofKind("discord.api_error").map((e) => e.level)).toEqual(["warn", "warn"]);
  });

  it("a 429 that reaches the reconciler waits at least Discord's retry-after", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.nextErrors.set("getMember", [discordError(429, null, { retryAfterMs: 3_600_000 })]);
    await t.drain();
    expect(t.store.row("1")?.nextDueAt).toBe(t.time.nowMs + 3_600_000);
  });

  it("a permanent failure is recorded with its reason and the role is not hammered", async () => {
    const t = setup();
    for (let n = 1; n <= 5; n += 1) paidMember(t, n);
    t.guild.roleErrors.set(ROLE_PAID, discordError(403, 50013, { message: "Missing Permissions" }));
    const summary = await t.drain();
    expect(t.guild.count("addRole")).toBe(1);
    expect(summary.permanentErrors).toBe(5);
    for (let n = 1; n <= 5; n += 1) {
      const row = t.store.row(String(n))!;
      expect(row.state).toBe("permanent_error");
      expect(row.lastError).toMatch(/move the bot's role above it/);
      expect(row.nextDueAt).toBe(t.time.nowMs + 0.9 * INTERVAL);
    }
    expect(t.log.ofKind("role.permanent_error")).toHaveLength(1);
    expect(t.log.ofKind("discord.api_error")).toHaveLength(1);
    expect(t.log.ofKind("discord.api_error")[0]).toMatchObject({ level: "error", data: { code: 50013 } });
    expect(t.reconciler.blocks()).toHaveLength(1);
  });

  it("a fixed permission takes effect at the next probe, without waiting for the sync interval", async () => {
    const t = setup();
    for (let n = 1; n <= 3; n += 1) paidMember(t, n);
    t.guild.roleErrors.set(ROLE_PAID, discordError(403, 50013));
    await t.drain();
    // Still broken at the first probe: one call, blocked again.
    t.time.advance(900_000);
    await t.drain();
    expect(t.guild.count("addRole")).toBe(2);
    expect(t.log.ofKind("role.permanent_error")).toHaveLength(1);
    // Fixed: the next probe succeeds and every member gets the role.
    t.guild.roleErrors.delete(ROLE_PAID);
    t.time.advance(900_000);
    await t.drain();
    for (let n = 1; n <= 3; n += 1) expect(t.guild.roles(uid(n))).toEqual([ROLE_PAID]);
    expect(t.log.ofKind("role.recovered")).toHaveLength(1);
    expect(t.reconciler.blocks()).toHaveLength(0);
  });

  it("an unknown role is a permanent failure with what to do", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.roleErrors.set(ROLE_PAID, discordError(404, 10011, { message: "Unknown Role" }));
    await t.drain();
    expect(t.store.row("1")?.lastError).toMatch(/does not exist .* update the role settings/);
  });

  it("a guild-wide failure (bad token) releases the members and pauses until the probe", async () => {
    const t = setup();
    for (let n = 1; n <= 4; n += 1) paidMember(t, n);
    t.guild.nextErrors.set("getMember", [discordError(401, 0, { message: "401: Unauthorized" })]);
    const summary = await t.run({ mode: "per_member" });
    expect(summary.blockedUntil?.getTime()).toBe(t.time.nowMs + 900_000);
    expect(summary.released).toBe(4);
    expect(t.guild.count("getMember")).toBe(1);
    for (let n = 1; n <= 4; n += 1)
      expect(t.store.row(String(n))).toMatchObject({ leaseOwner: null, state: null });
    const again = await t.run();
    expect(again.blockedUntil).not.toBeNull();
    expect(t.guild.calls).toHaveLength(1);
    t.time.advance(900_000);
    await t.drain();
    for (let n = 1; n <= 4; n += 1) expect(t.guild.roles(uid(n))).toEqual([ROLE_PAID]);
  });

  it("in bulk mode a member failing with 503 gets exactly one attempt per backoff step", async () => {
    const t = setup();
    paidMember(t, 1);
    for (let n = 2; n <= 20; n += 1) paidMember(t, n, [ROLE_PAID]);
    t.guild.roleErrors.set(ROLE_PAID, discordError(503, null));
    // Each attempt takes a while, so a bulk round keeps claiming within its look-ahead window.
    t.guild.onCall = (op) => {
      if (op === "addRole") t.time.advance(10_000);
    };
    const first = await t.run({ mode: "bulk" });
    expect(first.mode).toBe("bulk");
    expect(t.guild.count("addRole")).toBe(1);
    for (const [step, delay] of [300_000, 600_000, 1_200_000, 2_400_000].entries()) {
      expect(t.store.row("1")).toMatchObject({ state: "retrying", attempts: step + 1 });
      expect(t.store.row("1")!.nextDueAt! - t.time.nowMs).toBe(delay);
      t.time.advance(delay - 1);
      await t.run({ mode: "bulk" });
      expect(t.guild.count("addRole")).toBe(step + 1);
      t.time.advance(1);
      await t.run({ mode: "bulk" });
      expect(t.guild.count("addRole")).toBe(step + 2);
    }
  });

  it("a permanent failure of one member is logged at error level once, not at each re-check", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.roleErrors.set(ROLE_PAID, discordError(400, 50035, { message: "Invalid Form Body" }));
    await t.drain();
    expect(t.store.row("1")).toMatchObject({ state: "permanent_error" });
    t.time.advance(0.9 * INTERVAL);
    await t.drain();
    expect(t.guild.count("addRole")).toBe(2);
    const logged = t.log.ofKind("role.permanent_error");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: "error", memberId: "1", data: { scope: "member" } });
    expect(logged[0]?.message).toMatch(/Invalid Form Body/);
  });
});

describe("claims and leases", () => {
  it("a member claimed by a crashed worker is taken over once its lease expires, not after a sync interval", async () => {
    const t = setup();
    paidMember(t, 1);
    const crashed = await t.store.queue.claimDue({
      owner: "crashed",
      leaseMs: 60_000,
      limit: 10,
      now: t.time.clock.now(),
      columns: ["payment_status"],
    });
    expect(crashed).toHaveLength(1);
    const w2 = t.make("w2");
    expect((await t.run({}, w2)).claimed).toBe(0);
    t.time.advance(60_000);
    const summary = await t.run({}, w2);
    expect(summary.processed).toBe(1);
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    // The crashed worker's late completion is refused.
    expect(
      await t.store.queue.complete(crashed[0]!, {
        state: "ok",
        checkedAt: t.time.clock.now(),
        nextDueAt: null,
        attempts: 0,
        lastError: null,
        forget: false,
      }),
    ).toBe(false);
  });

  it("a member whose lease runs out mid-call is released, not recorded", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.onCall = async (op) => {
      if (op !== "addRole") return;
      t.time.advance(59_000);
      await flush();
    };
    const summary = await t.run({ mode: "per_member" });
    expect(summary).toMatchObject({ processed: 0, released: 1 });
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.store.row("1")).toMatchObject({ state: null, leaseOwner: null });
  });

  it("a member is not started when too little of its lease is left", async () => {
    const t = setup({ options: { leaseMs: 60_000, leaseGuardMs: 15_000 } });
    for (let n = 1; n <= 3; n += 1) paidMember(t, n);
    t.guild.onCall = (op) => {
      if (op === "addRole") t.time.advance(25_000);
    };
    const summary = await t.run({ mode: "per_member" });
    expect(summary.processed).toBe(2);
    expect(summary.released).toBe(1);
  });

  it("a change that arrives while the member is processed keeps it due", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.onCall = (op) => {
      if (op === "addRole") t.store.updateMember("1", { attrs: { payment_status: null } });
    };
    await t.run({ mode: "per_member" });
    expect(t.store.row("1")).toMatchObject({ dirty: true });
    t.guild.onCall = null;
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
  });

  it("claims a round could not record (the database went away) are given back at the next round, so a change made meanwhile is not stuck behind this worker's lease", async () => {
    const t = setup();
    paidMember(t, 1);
    paidMember(t, 2);
    const { completeMany, release, list } = { ...t.store.queue, list: t.store.ledger.list };
    let down = false;
    const unavailable = () => Promise.reject(new Error("Connection terminated unexpectedly"));
    t.store.queue.completeMany = (...args) => (down ? unavailable() : completeMany(...args));
    t.store.queue.release = (...args) => (down ? unavailable() : release(...args));
    // member 1: reconciled on Discord, then the outcome cannot be written
    t.guild.onCall = (op) => {
      if (op === "addRole") down = true;
    };
    await expect(t.run({ mode: "per_member" })).rejects.toThrow(/Connection terminated/);
    expect(t.store.row("1")).toMatchObject({ leaseOwner: "w1" });
    t.guild.onCall = null;
    // while it is away, member 1 stops paying (its row is marked due, but leased by w1)
    t.store.updateMember("1", { attrs: { payment_status: null } });
    await expect(t.run({ mode: "per_member" })).rejects.toThrow(/Connection terminated/);
    down = false;
    // the batch's reads fail too: its claims are given back as well
    t.store.ledger.list = () =>
      Promise.reject(new Error("terminating connection due to administrator command"));
    await expect(t.run({ mode: "per_member" })).rejects.toThrow(/administrator command/);
    t.store.ledger.list = list;
    await t.drain();
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.guild.roles(uid(2))).toEqual([ROLE_PAID]);
    for (const row of t.store.sync.values()) expect(row.leaseOwner).toBeNull();
  });

  it("a soft stop finishes the member in hand and releases the rest", async () => {
    const t = setup();
    for (let n = 1; n <= 5; n += 1) paidMember(t, n);
    const stop = new AbortController();
    t.guild.onCall = (op) => {
      if (op === "getMember") stop.abort();
    };
    const summary = await t.run({ mode: "per_member", stop: stop.signal });
    expect(summary).toMatchObject({ processed: 1, released: 4 });
    expect(t.guild.count("addRole")).toBe(1);
    expect(await t.store.queue.countDue({ now: t.time.clock.now() })).toBe(4);
    for (const row of t.store.sync.values()) expect(row.leaseOwner).toBeNull();
  });

  it("a soft stop aborts a guild listing in progress instead of waiting for it", async () => {
    const t = setup();
    for (let n = 1; n <= 20; n += 1) paidMember(t, n);
    t.guild.onCall = (op, signal) =>
      op === "listMembers" ? t.time.scheduler.sleep(600_000, { signal }) : undefined;
    const stop = new AbortController();
    let finished = false;
    const running = t.run({ mode: "bulk", stop: stop.signal }).finally(() => {
      finished = true;
    });
    await flush();
    expect(t.guild.count("listMembers")).toBe(1);
    stop.abort();
    await flush();
    expect(finished).toBe(true);
    expect(await running).toMatchObject({ claimed: 0, processed: 0 });
    expect(t.time.pending).toBe(0);
    expect(await t.store.queue.countDue({ now: t.time.clock.now() })).toBe(20);
  });
});

describe("bulk vs per-member", () => {
  it("lists the guild 1,000 at a time when many members are due, then reads a few one by one", async () => {
    const t = setup();
    for (let n = 1; n <= 2500; n += 1) {
      t.guild.add(uid(n), { roles: n % 100 === 0 ? [] : n % 2 === 0 ? [ROLE_PAID] : [] });
      t.store.insertMember({
        id: String(n).padStart(5, "0"),
        discordUserId: uid(n),
        attrs: { payment_status: n % 2 === 0 ? "x" : null },
      });
    }
    const summary = await t.drain();
    expect(summary.mode).toBe("bulk");
    expect(t.guild.count("listMembers")).toBe(3);
    expect(t.guild.count("getMember")).toBe(0);
    expect(summary.added).toBe(25);
    expect(summary.processed).toBe(2500);
    expect(summary.discordCalls).toBe(3 + 25);

    for (const n of [1, 2, 3])
      t.store.updateMember(String(n).padStart(5, "0"), { attrs: { payment_status: "new" } });
    const few = await t.drain();
    expect(few.mode).toBe("per_member");
    expect(few.decision?.reason).toMatch(/3 member read/);
    expect(t.guild.count("getMember")).toBe(3);
    expect(t.guild.count("listMembers")).toBe(3);
  });

  it("re-reads a member one by one when it changed after the listing began", async () => {
    const t = setup();
    for (let n = 1; n <= 50; n += 1) paidMember(t, n);
    let changed = false;
    t.guild.onCall = (op) => {
      if (op !== "listMembers" || changed) return;
      changed = true;
      t.time.advance(1);
      t.store.updateMember("7", { attrs: { payment_status: "renewed" } });
      t.guild.members.get(uid(7))!.roles.push(ROLE_PAID);
    };
    const summary = await t.drain();
    expect(summary.mode).toBe("bulk");
    expect(t.guild.calls.filter((c) => c.op === "getMember").map((c) => c.userId)).toEqual([uid(7)]);
    // The fresh read saw the role already there: no redundant add.
    expect(t.guild.calls.filter((c) => c.op === "addRole" && c.userId === uid(7))).toHaveLength(0);
    expect(summary.added).toBe(49);
  });

  it("abandons a listing that grows costlier than reading the due members", async () => {
    const t = setup();
    for (let n = 1; n <= 5000; n += 1) t.guild.add(uid(n));
    for (let n = 1; n <= 3; n += 1) {
      t.store.insertMember({ id: String(n), discordUserId: uid(n), attrs: { payment_status: "x" } });
    }
    const summary = await t.drain();
    expect(t.guild.count("listMembers")).toBe(2);
    expect(t.guild.count("getMember")).toBe(3);
    expect(summary.added).toBe(3);
  });

  it("falls back to per-member reads when the members intent is off, and says so once", async () => {
    const t = setup();
    for (let n = 1; n <= 20; n += 1) paidMember(t, n);
    t.guild.nextErrors.set("listMembers", [discordError(403, 50001, { message: "Missing Access" })]);
    await t.drain();
    expect(t.guild.count("listMembers")).toBe(1);
    expect(t.guild.count("getMember")).toBe(20);
    for (let n = 1; n <= 20; n += 1) expect(t.guild.roles(uid(n))).toEqual([ROLE_PAID]);
    expect(t.log.ofKind("role.bulk_unavailable")).toHaveLength(1);
    expect(t.log.ofKind("role.bulk_unavailable")[0]?.message).toMatch(/Server Members intent/);
  });
});

describe("full reconciliation", () => {
  it("re-checks every linked member within the sync interval, however many there are", async () => {
    const t = setup();
    for (let n = 1; n <= 3000; n += 1) {
      t.guild.add(uid(n), { roles: [ROLE_PAID] });
      t.store.insertMember({
        id: String(n).padStart(5, "0"),
        discordUserId: uid(n),
        attrs: { payment_status: "x" },
      });
    }
    await t.drain();
    const checked = new Map([...t.store.sync.values()].map((r) => [r.memberId, r.checkedAt]));
    t.time.advance(0.9 * INTERVAL);
    const summary = await t.drain();
    expect(summary.processed).toBe(3000);
    expect(summary.mode).toBe("bulk");
    for (const row of t.store.sync.values()) {
      expect(row.checkedAt! - checked.get(row.memberId)!).toBeLessThanOrEqual(INTERVAL);
    }
  });

  it("a bulk pass also takes members due soon, so stragglers fall in step at no read cost", async () => {
    const t = setup();
    for (let n = 1; n <= 100; n += 1) paidMember(t, n, [ROLE_PAID]);
    await t.drain();
    t.time.advance(H);
    await t.store.queue.markDue({ now: t.time.clock.now(), memberIds: ["1"] });
    await t.drain(); // member 1 is now an hour out of step
    t.time.advance(0.9 * INTERVAL - H);
    const summary = await t.drain();
    expect(summary.processed).toBe(100);
    expect(t.store.row("1")?.checkedAt).toBe(t.time.nowMs);
  });

  it("changing the rules re-checks every member and revokes a role the settings replaced", async () => {
    const t = setup();
    for (let n = 1; n <= 3; n += 1) paidMember(t, n);
    await t.drain();
    const settings = { ...t.settings, rules: defaultRules([ROLE_GOLD]) };
    await t.reconciler.drain({ settings, gateway: t.guild.gateway });
    for (let n = 1; n <= 3; n += 1) expect(t.guild.roles(uid(n))).toEqual([ROLE_GOLD]);
    expect(t.guild.calls.filter((c) => c.op === "removeRole")[0]?.reason).toBe(
      `guildkit: role ${ROLE_PAID} is no longer granted by the role settings (member 1)`,
    );
    expect(t.log.ofKind("role.settings_changed")).toHaveLength(1);
  });

  it("a restart with changed role ids re-checks every member and revokes the old role", async () => {
    const t = setup();
    for (let n = 1; n <= 3; n += 1) paidMember(t, n);
    await t.drain();
    // The settings change while no worker runs; a new process starts with them.
    const restarted = t.make("w2");
    const settings = { ...t.settings, rules: defaultRules([ROLE_GOLD]) };
    const summary = await restarted.drain({ settings, gateway: t.guild.gateway });
    expect(summary.processed).toBe(3);
    for (let n = 1; n <= 3; n += 1) expect(t.guild.roles(uid(n))).toEqual([ROLE_GOLD]);
    expect(t.log.ofKind("role.settings_changed")).toHaveLength(1);
  });

  it("a restart with unchanged settings schedules no full pass", async () => {
    const t = setup();
    for (let n = 1; n <= 3; n += 1) paidMember(t, n);
    await t.drain();
    expect(t.store.calls.scheduleFullPass).toBeUndefined();
    const summary = await t.drain({}, t.make("w2"));
    expect(summary.processed).toBe(0);
    expect(t.store.calls.scheduleFullPass).toBeUndefined();
    expect(t.log.ofKind("role.settings_changed")).toHaveLength(0);
  });
});

describe("dry run", () => {
  it("prints who gains and loses which role and who is not in the guild, changing nothing", async () => {
    const t = setup();
    paidMember(t, 1);
    t.guild.add(uid(2), { roles: [ROLE_PAID] });
    t.store.insertMember({ id: "2", discordUserId: uid(2), attrs: { payment_status: null } });
    t.store.insertMember({ id: "3", discordUserId: uid(3), attrs: { payment_status: "x" } });
    paidMember(t, 4, [ROLE_PAID]);
    const plan = await t.reconciler.plan({ settings: t.settings, gateway: t.guild.gateway });
    expect(plan.gains).toEqual([
      {
        discordUserId: uid(1),
        roleId: ROLE_PAID,
        memberIds: ["1"],
        reason: expect.stringContaining("entitled"),
      },
    ]);
    expect(plan.losses).toEqual([
      {
        discordUserId: uid(2),
        roleId: ROLE_PAID,
        memberIds: ["2"],
        reason: expect.stringContaining("no longer"),
      },
    ]);
    expect(plan.notInGuild).toEqual([{ memberId: "3", discordUserId: uid(3) }]);
    expect(plan.checked).toBe(4);
    expect(plan.mode).toBe("bulk");
    expect(t.guild.count("addRole") + t.guild.count("removeRole")).toBe(0);
    expect(t.store.calls.claimDue ?? 0).toBe(0);
    expect(t.store.calls.complete ?? 0).toBe(0);
    expect(t.store.calls.completeMany ?? 0).toBe(0);
    expect(t.store.calls["ledger.add"] ?? 0).toBe(0);
    expect(t.log.entries).toEqual([]);
  });

  it("includes revocations of unlinked and deleted members", async () => {
    const t = setup();
    paidMember(t, 1);
    paidMember(t, 2);
    await t.drain();
    t.store.updateMember("1", { discordUserId: null });
    t.store.deleteMember("2");
    const plan = await t.reconciler.plan({
      settings: t.settings,
      gateway: t.guild.gateway,
      mode: "per_member",
    });
    expect(plan.mode).toBe("per_member");
    expect(plan.losses.map((l) => l.discordUserId).sort()).toEqual([uid(1), uid(2)]);
    expect(plan.losses.map((l) => l.reason).sort()).toEqual([
      "guildkit: Discord account unlinked from member 1",
      "guildkit: member 2 was deleted",
    ]);
  });
});
