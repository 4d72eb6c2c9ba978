/**
 * The membership lifecycle end to end: the worker's role sync (settings from the configuration
 * store, a real SQLite store, the Discord client over HTTP) against discord-sim, on fake time —
 * grace period, trial roles, kick on lapse, managed grants only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createFakeTime, type FakeTime } from "@guildkit/core/testing";
import {
  DEFAULT_BOT_PERMISSIONS,
  type DiscordSim,
  PERMISSIONS,
  startDiscordSim,
} from "@guildkit/discord-sim";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import { createSqliteStore, type SqliteStore } from "@guildkit/store-sqlite";
import { testSecretBox } from "@guildkit/store-testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createRoleSync } from "../src/role-sync";
import { FAST_LIMITS, FAST_SYNC } from "./role-sync-harness";

const H = 3_600_000;

interface World {
  sim: DiscordSim;
  store: SqliteStore;
  time: FakeTime;
  guildId: string;
  paid: string;
  trial: string;
  /** Guild members' user ids, in order. */
  users: string[];
  /** Member ids, by user. */
  members: Map<string, string>;
  /** Reconciles until nothing is due now (the CLI's `reconcile --all`), on the worker's wiring. */
  drain(): Promise<Awaited<ReturnType<ReturnType<typeof createRoleSync>["reconciler"]["drain"]>>>;
  plan(): ReturnType<ReturnType<typeof createRoleSync>["reconciler"]["plan"]>;
  pay(userId: string, status: string | null): Promise<void>;
  roles(userId: string): string[] | null;
  close(): Promise<void>;
}

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function start(roleSync: Record<string, unknown>, opts: { count?: number; handRoles?: number[] } = {}) {
  const time = createFakeTime(Date.UTC(2026, 11, 2, 10));
  const sim = await startDiscordSim({
    ...FAST_LIMITS,
    routeLimits: { ...FAST_LIMITS.routeLimits, remove_member: { limit: 1000, windowMs: 50 } },
  });
  const app = sim.seed.application({});
  const guild = sim.seed.guild({
    botUserId: app.botUserId,
    botRolePosition: 10,
    botPermissions: String(BigInt(DEFAULT_BOT_PERMISSIONS) | PERMISSIONS.KICK_MEMBERS),
  });
  const paid = sim.seed.role({ guildId: guild.id, name: "Gold", position: 2 }).id;
  const trial = sim.seed.role({ guildId: guild.id, name: "Gold (trial)", position: 1 }).id;
  const hand = new Set(opts.handRoles ?? []);
  const seeded = sim.seed.members({
    guildId: guild.id,
    count: opts.count ?? 2,
    roles: (i) => (hand.has(i) ? [paid] : []),
    avatars: false,
  });
  const dir = mkdtempSync(join(tmpdir(), "guildkit-lifecycle-"));
  const store = createSqliteStore({
    filename: join(dir, "db.sqlite"),
    secretBox: testSecretBox(),
    clock: time.clock,
  });
  await store.migrate();
  await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
    bot_token: app.botToken,
    guild_id: guild.id,
    role_ids: [paid],
    // A week between re-checks: the grace end (3 days) is what makes a member due in between.
    sync_interval_hours: 168,
  });
  const rules = roleSync.rules === "trial" ? [trialRule(paid, trial)] : roleSync.rules;
  await createConfigLoader({ store: store.configStore, spec: roleSyncConfigSpec }).save({
    ...roleSync,
    ...(rules === undefined ? {} : { rules }),
  });
  const members = new Map<string, string>();
  for (const [i, m] of seeded.entries()) {
    const created = await store.members.create({
      email: `m${i}@example.test`,
      discordUserId: m.userId,
      paymentStatus: null,
    });
    members.set(m.userId, created.id);
  }
  const sync = createRoleSync(
    {
      store,
      discordApiBaseUrl: sim.apiBaseUrl,
      discordCdnBaseUrl: sim.cdnBaseUrl,
      owner: "w1",
      clock: time.clock,
      scheduler: time.scheduler,
    },
    FAST_SYNC,
  );
  const ready = async () => {
    const loaded = await sync.loadSettings();
    if (loaded.status !== "ready") throw new Error(`settings incomplete: ${loaded.missing.join(", ")}`);
    return loaded;
  };
  const w: World = {
    sim,
    store,
    time,
    guildId: guild.id,
    paid,
    trial,
    users: seeded.map((m) => m.userId),
    members,
    drain: async () => sync.reconciler.drain(await ready()),
    plan: async () => sync.reconciler.plan(await ready()),
    async pay(userId, status) {
      await store.members.update(members.get(userId)!, { paymentStatus: status });
    },
    roles: (userId) => {
      const member = sim.inspect.member(guild.id, userId);
      return member ? [...member.roles].sort() : null;
    },
    async close() {
      await sync.close();
      await store.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  world = w;
  return w;
}

function trialRule(paid: string, trial: string) {
  return {
    kind: "present",
    column: "payment_status",
    roleIds: [paid],
    trial: { values: ["trialing"], roleIds: [trial] },
  };
}

async function events(w: World, kind: string) {
  return (await w.store.eventLog.list({ kind, limit: 50 })).map((e) => e.message);
}

describe("membership lifecycle against discord-sim", () => {
  it("grace period: a lapsed member keeps the role for 72 h, shown in the plan, then loses it with an audit reason", async () => {
    const w = await start({ grace_period_hours: 72 });
    const [alice] = w.users as [string];
    await w.pay(alice, "active");
    await w.drain();
    expect(w.roles(alice)).toEqual([w.paid]);

    await w.pay(alice, null);
    const lapsed = await w.drain();
    expect(lapsed.inGrace).toBe(1);
    expect(w.roles(alice)).toEqual([w.paid]);
    expect(await w.store.roleSync.countByState()).toMatchObject({ grace: 1 });
    expect(await events(w, "role.grace_started")).toHaveLength(1);
    const plan = await w.plan();
    expect(plan.losses).toEqual([]);
    expect(plan.graces).toEqual([
      expect.objectContaining({
        discordUserId: alice,
        roleId: w.paid,
        until: new Date(Date.UTC(2026, 11, 5, 10)),
      }),
    ]);
    expect(plan.graces[0]?.reason).toContain(`loses ${w.paid} on 2026-12-05`);

    // Not due before the grace ends (nothing is read or changed), due exactly then.
    await w.time.advance(72 * H - 1_000);
    expect((await w.drain()).processed).toBe(0);
    await w.time.advance(1_000);
    const ended = await w.drain();
    expect(ended.removed).toBe(1);
    expect(w.roles(alice)).toEqual([]);
    const removal = w.sim.inspect.roleChanges().filter((c) => c.action === "remove");
    expect(removal.map((c) => [c.userId, c.roleId, c.reason])).toEqual([
      [alice, w.paid, `guildkit: member ${w.members.get(alice)} is no longer entitled (grace period ended)`],
    ]);
  });

  it("trial roles: a trialing member gets the trial role; paying swaps it for the paid role", async () => {
    const w = await start({ rules: "trial" });
    const [alice] = w.users as [string];
    await w.pay(alice, "trialing");
    await w.drain();
    expect(w.roles(alice)).toEqual([w.trial]);
    const added = w.sim.inspect.roleChanges().find((c) => c.action === "add");
    expect(added?.reason).toContain('payment_status = "trialing" (trial)');

    await w.pay(alice, "active");
    await w.drain();
    expect(w.roles(alice)).toEqual([w.paid]);
    expect(await events(w, "role.removed")).toHaveLength(1);
  });

  it("kick on lapse: the lapsed member is kicked with an audit-log reason; a never-paid member is not", async () => {
    const w = await start({ on_lapse: "kick" });
    const [alice, bob] = w.users as [string, string];
    await w.pay(alice, "active");
    await w.drain();
    await w.pay(alice, null);
    const plan = await w.plan();
    expect(plan.kicks.map((k) => k.discordUserId)).toEqual([alice]);
    const summary = await w.drain();
    expect(summary.kicked).toBe(1);
    expect(w.roles(alice)).toBeNull();
    expect(w.roles(bob)).toEqual([]);
    expect(w.sim.inspect.kicks(w.guildId)).toEqual([
      expect.objectContaining({
        userId: alice,
        reason: `guildkit: member ${w.members.get(alice)} is no longer entitled: kicked (on lapse: kick)`,
      }),
    ]);
    expect(await events(w, "role.member_kicked")).toHaveLength(1);
    expect(await w.store.roleSync.countByState()).toMatchObject({ not_in_guild: 1 });
    expect(await w.store.roleSync.ledger.list({ memberIds: [w.members.get(alice)!] })).toEqual([]);
  });

  it("managed grants only: a role given by hand to an unpaid member stays; the role guildkit granted goes", async () => {
    const w = await start({ managed_grants_only: true }, { handRoles: [0] });
    const [carol, dave] = w.users as [string, string];
    await w.pay(dave, "active");
    await w.drain();
    expect(w.roles(carol)).toEqual([w.paid]);
    expect(w.roles(dave)).toEqual([w.paid]);
    expect((await w.plan()).leftAlone.map((l) => l.discordUserId)).toEqual([carol]);

    await w.pay(dave, null);
    await w.drain();
    expect(w.roles(carol)).toEqual([w.paid]);
    expect(w.roles(dave)).toEqual([]);
    expect(
      w.sim.inspect
        .roleChanges()
        .filter((c) => c.action === "remove")
        .map((c) => c.userId),
    ).toEqual([dave]);
  });

  it("the default stays paid ⇔ role: the same hand-given role is removed", async () => {
    const w = await start({}, { handRoles: [0] });
    const [carol] = w.users as [string];
    await w.drain();
    expect(w.roles(carol)).toEqual([]);
  });
});
