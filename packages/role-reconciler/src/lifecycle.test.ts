import { describe, expect, it } from "vitest";
import {
  createMemoryEventLog,
  createStore,
  FakeGuild,
  FakeTime,
  GUILD,
  ROLE_GOLD,
  ROLE_PAID,
  ROLE_SILVER,
  uid,
} from "../test/fakes";
import {
  defaultRules,
  type EntitlementRule,
  entitledRoles,
  entitlementState,
  managedRoles,
  resolveRules,
  ruleColumns,
} from "./entitlement";
import { EntitlementRulesError } from "./errors";
import { planAccount } from "./plan";
import { createRoleReconciler, type LifecycleSettings } from "./reconcile";

const H = 3_600_000;
const DAY = 24 * H;
const D1 = "100000000000000001";
const T0 = new Date("2026-12-02T10:00:00.000Z");
const rules = defaultRules([ROLE_PAID]);
const paid = { payment_status: "active" };
const unpaid = { payment_status: null };

/** The current account of member 1, holding `held`, with `ownGrants` recorded for it. */
function current(input: {
  attributes: Record<string, unknown>;
  held: string[];
  own?: Record<string, { origin: "granted" | "adopted"; lapsedAt: Date | null }>;
  now?: Date;
  lifecycle?: Partial<LifecycleSettings>;
  rules?: EntitlementRule[];
}) {
  const own = input.own ?? {};
  const r = input.rules ?? rules;
  return planAccount({
    rules: r,
    managed: managedRoles(r),
    memberId: "1",
    discordUserId: D1,
    relation: "current",
    linked: [{ memberId: "1", attributes: input.attributes }],
    ownGrants: new Set(Object.keys(own)),
    ownDetails: new Map(Object.entries(own)),
    held: input.held,
    now: input.now ?? T0,
    lifecycle: input.lifecycle,
  });
}

describe("grace period (plan)", () => {
  it("keeps a recorded role for the grace period, says the day it goes, and records the lapse once", () => {
    const plan = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own: { [ROLE_PAID]: { origin: "granted", lapsedAt: null } },
      lifecycle: { graceMs: 3 * DAY },
    });
    expect(plan.remove).toEqual([]);
    expect(plan.forgetAfter).toEqual([]);
    expect(plan.lapseStart).toEqual([{ memberId: "1", discordUserId: D1, roleId: ROLE_PAID }]);
    expect(plan.graced).toEqual([
      expect.objectContaining({ roleId: ROLE_PAID, since: T0, until: new Date(T0.getTime() + 3 * DAY) }),
    ]);
    expect(plan.graced[0]!.reason).toContain(`loses ${ROLE_PAID} on 2026-12-05`);

    const later = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own: { [ROLE_PAID]: { origin: "granted", lapsedAt: T0 } },
      now: new Date(T0.getTime() + DAY),
      lifecycle: { graceMs: 3 * DAY },
    });
    expect(later.lapseStart).toEqual([]);
    expect(later.graced.map((g) => g.until)).toEqual([new Date(T0.getTime() + 3 * DAY)]);
  });

  it("removes the role once the grace period is over, saying so in the audit reason", () => {
    const plan = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own: { [ROLE_PAID]: { origin: "granted", lapsedAt: T0 } },
      now: new Date(T0.getTime() + 3 * DAY),
      lifecycle: { graceMs: 3 * DAY },
    });
    expect(plan.graced).toEqual([]);
    expect(plan.remove.map((r) => r.reason)).toEqual([
      "guildkit: member 1 is no longer entitled (grace period ended)",
    ]);
    expect(plan.forgetAfter).toEqual([{ memberId: "1", discordUserId: D1, roleId: ROLE_PAID }]);
  });

  it("without a grace period (the default) the role goes at once", () => {
    const plan = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own: { [ROLE_PAID]: { origin: "granted", lapsedAt: null } },
    });
    expect(plan.graced).toEqual([]);
    expect(plan.remove.map((r) => r.roleId)).toEqual([ROLE_PAID]);
  });

  it("a member entitled again during the grace period keeps the role and the lapse is cleared", () => {
    const plan = current({
      attributes: paid,
      held: [ROLE_PAID],
      own: { [ROLE_PAID]: { origin: "granted", lapsedAt: T0 } },
      now: new Date(T0.getTime() + DAY),
      lifecycle: { graceMs: 3 * DAY },
    });
    expect(plan.remove).toEqual([]);
    expect(plan.graced).toEqual([]);
    expect(plan.lapseEnd).toEqual([{ memberId: "1", discordUserId: D1, roleId: ROLE_PAID }]);
  });

  it("a tier change is not a lapse: the old tier's role goes at once", () => {
    const tiers: EntitlementRule[] = [
      { kind: "map", column: "tier", values: { gold: [ROLE_GOLD], silver: [ROLE_SILVER] } },
    ];
    const plan = current({
      rules: tiers,
      attributes: { tier: "silver" },
      held: [ROLE_GOLD],
      own: { [ROLE_GOLD]: { origin: "granted", lapsedAt: null } },
      lifecycle: { graceMs: 3 * DAY },
    });
    expect(plan.graced).toEqual([]);
    expect(plan.add.map((a) => a.roleId)).toEqual([ROLE_SILVER]);
    expect(plan.remove.map((r) => r.roleId)).toEqual([ROLE_GOLD]);
  });

  it("a role the ledger never recorded for the member gets no grace period", () => {
    const plan = current({ attributes: unpaid, held: [ROLE_PAID], lifecycle: { graceMs: 3 * DAY } });
    expect(plan.graced).toEqual([]);
    expect(plan.remove.map((r) => r.roleId)).toEqual([ROLE_PAID]);
  });
});

describe("trial roles", () => {
  const TRIAL = "900000000000000009";
  const trialRules: EntitlementRule[] = [
    {
      kind: "present",
      column: "payment_status",
      roleIds: [ROLE_PAID],
      trial: { values: ["trialing"], roleIds: [TRIAL] },
    },
  ];

  it("grants the trial role instead of the paid one while the member is on trial", () => {
    expect([...entitledRoles(trialRules, { payment_status: "trialing" })]).toEqual([
      [TRIAL, 'payment_status = "trialing" (trial)'],
    ]);
    expect([...entitledRoles(trialRules, { payment_status: "active" }).keys()]).toEqual([ROLE_PAID]);
    expect(entitlementState(trialRules, { payment_status: "trialing" })).toBe("trial");
    expect(entitlementState(trialRules, { payment_status: "active" })).toBe("paid");
    expect(entitlementState(trialRules, { payment_status: null })).toBe("none");
    expect([...managedRoles(trialRules)].sort()).toEqual([ROLE_PAID, TRIAL].sort());
  });

  it("a trial may read its own column, which the rules then watch; a map rule's trial honours ignoreCase", () => {
    const own: EntitlementRule[] = [
      {
        kind: "map",
        column: "tier",
        ignoreCase: true,
        values: { gold: [ROLE_GOLD] },
        trial: { column: "trial_state", values: ["Active"], roleIds: [TRIAL] },
      },
    ];
    expect(ruleColumns(own)).toEqual(["tier", "trial_state"]);
    expect([...entitledRoles(own, { tier: "gold", trial_state: "active" }).keys()]).toEqual([TRIAL]);
    expect([...entitledRoles(own, { tier: "gold", trial_state: null }).keys()]).toEqual([ROLE_GOLD]);
  });

  it("a trial converting to paid swaps the roles at once, with no grace for the trial role", () => {
    const plan = current({
      rules: trialRules,
      attributes: { payment_status: "active" },
      held: [TRIAL],
      own: { [TRIAL]: { origin: "granted", lapsedAt: null } },
      lifecycle: { graceMs: 3 * DAY },
    });
    expect(plan.add.map((a) => a.roleId)).toEqual([ROLE_PAID]);
    expect(plan.remove.map((r) => r.roleId)).toEqual([TRIAL]);
    expect(plan.graced).toEqual([]);
  });

  it("refuses a trial without roles, naming the field", () => {
    expect(() =>
      resolveRules({
        rules: [{ kind: "present", column: "paid", roleIds: [ROLE_PAID], trial: { values: ["t"] } }],
      }),
    ).toThrow(EntitlementRulesError);
    try {
      resolveRules({
        rules: [{ kind: "present", column: "paid", roleIds: [ROLE_PAID], trial: { values: [] } }],
      });
    } catch (error) {
      expect((error as EntitlementRulesError).issues.join("; ")).toContain("0.trial.values");
    }
  });
});

describe("managed grants only and kick on lapse (plan)", () => {
  it("managed grants only: a role given by hand to an unpaid member is left alone; a granted one is removed", () => {
    const byHand = current({ attributes: unpaid, held: [ROLE_PAID], lifecycle: { managedGrantsOnly: true } });
    expect(byHand.remove).toEqual([]);
    expect(byHand.leftAlone.map((l) => l.roleId)).toEqual([ROLE_PAID]);
    const adopted = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own: { [ROLE_PAID]: { origin: "adopted", lapsedAt: null } },
      lifecycle: { managedGrantsOnly: true },
    });
    expect(adopted.remove).toEqual([]);
    expect(adopted.forgetAfter.map((g) => g.roleId)).toEqual([ROLE_PAID]);
    const granted = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own: { [ROLE_PAID]: { origin: "granted", lapsedAt: null } },
      lifecycle: { managedGrantsOnly: true },
    });
    expect(granted.remove.map((r) => r.roleId)).toEqual([ROLE_PAID]);
    // The default stays "paid ⇔ role".
    expect(current({ attributes: unpaid, held: [ROLE_PAID] }).remove.map((r) => r.roleId)).toEqual([
      ROLE_PAID,
    ]);
  });

  it("records a role the account held already as adopted, and one guildkit adds as granted", () => {
    expect(current({ attributes: paid, held: [ROLE_PAID] }).grantsBefore).toEqual([
      { memberId: "1", discordUserId: D1, roleId: ROLE_PAID, origin: "adopted" },
    ]);
    expect(current({ attributes: paid, held: [] }).grantsBefore).toEqual([
      { memberId: "1", discordUserId: D1, roleId: ROLE_PAID, origin: "granted" },
    ]);
  });

  it("kick on lapse replaces the removals by one kick with an audit reason, after the grace period", () => {
    const own = { [ROLE_PAID]: { origin: "granted" as const, lapsedAt: T0 } };
    const during = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own,
      lifecycle: { graceMs: DAY, onLapse: "kick" },
    });
    expect(during.kick).toBeNull();
    const after = current({
      attributes: unpaid,
      held: [ROLE_PAID],
      own,
      now: new Date(T0.getTime() + DAY),
      lifecycle: { graceMs: DAY, onLapse: "kick" },
    });
    expect(after.remove).toEqual([]);
    expect(after.kick).toEqual({
      discordUserId: D1,
      memberIds: ["1"],
      roleIds: [ROLE_PAID],
      reason: "guildkit: member 1 is no longer entitled (grace period ended): kicked (on lapse: kick)",
    });
  });

  it("never kicks a member that holds nothing guildkit would remove, nor on a tier change", () => {
    expect(current({ attributes: unpaid, held: [], lifecycle: { onLapse: "kick" } }).kick).toBeNull();
    // A role the ledger never recorded for the member (given by hand) is removed, not kicked for.
    const byHand = current({ attributes: unpaid, held: [ROLE_PAID], lifecycle: { onLapse: "kick" } });
    expect(byHand.kick).toBeNull();
    expect(byHand.remove.map((r) => r.roleId)).toEqual([ROLE_PAID]);
    expect(
      current({
        attributes: unpaid,
        held: [ROLE_PAID],
        lifecycle: { onLapse: "kick", managedGrantsOnly: true },
      }).kick,
    ).toBeNull();
    const tiers: EntitlementRule[] = [
      { kind: "map", column: "tier", values: { gold: [ROLE_GOLD], silver: [ROLE_SILVER] } },
    ];
    expect(
      current({
        rules: tiers,
        attributes: { tier: "silver" },
        held: [ROLE_GOLD],
        lifecycle: { onLapse: "kick" },
      }).kick,
    ).toBeNull();
  });
});

function setup(lifecycle: Partial<LifecycleSettings>) {
  const time = new FakeTime(T0.getTime());
  const store = createStore(time);
  const guild = new FakeGuild();
  const log = createMemoryEventLog();
  const reconciler = createRoleReconciler({
    queue: store.queue,
    ledger: store.ledger,
    members: store.linkedMembers,
    profiles: store.profiles,
    eventLog: log,
    clock: time.clock,
    scheduler: time.scheduler,
    owner: "w1",
    random: () => 0,
  });
  const settings = { guildId: GUILD, rules, syncIntervalMs: 168 * H, lifecycle };
  const run = () => reconciler.runOnce({ settings, gateway: guild.gateway, mode: "per_member" });
  const kinds = async () =>
    log.entries
      .map((e) => e.kind)
      .filter((k) => ["role.added", "role.removed"].includes(k) || /grace|kicked|left_alone/.test(k));
  return { time, store, guild, log, reconciler, settings, run, kinds };
}

describe("the lifecycle in the reconciler (fake clock)", () => {
  it("keeps the role for the grace period, is due again exactly when it ends, then removes it", async () => {
    const t = setup({ graceMs: 3 * DAY });
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    await t.run();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);

    t.store.updateMember("1", { attrs: { payment_status: null } });
    const started = await t.run();
    expect(started.inGrace).toBe(1);
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    const graceEnd = new Date(T0.getTime() + 3 * DAY);
    expect(t.store.row("1")).toMatchObject({ state: "grace", nextDueAt: graceEnd.getTime() });
    expect(t.store.grantKeys()).toEqual([`1|${uid(1)}|${ROLE_PAID}`]);
    expect((await t.store.ledger.list({ memberIds: ["1"] }))[0]?.lapsedAt).toEqual(T0);

    t.time.advance(3 * DAY - 1);
    expect((await t.run()).processed).toBe(0);
    t.time.advance(1);
    const ended = await t.run();
    expect(ended.removed).toBe(1);
    expect(t.guild.roles(uid(1))).toEqual([]);
    expect(t.store.grantKeys()).toEqual([]);
    const removal = t.guild.calls.find((c) => c.op === "removeRole");
    expect(removal?.reason).toBe("guildkit: member 1 is no longer entitled (grace period ended)");
    expect(await t.kinds()).toEqual(["role.added", "role.grace_started", "role.removed"]);
  });

  it("a payment during the grace period cancels it: the role stays and the lapse is cleared", async () => {
    const t = setup({ graceMs: 3 * DAY });
    t.guild.add(uid(1), { roles: [ROLE_PAID] });
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    await t.run();
    t.store.updateMember("1", { attrs: { payment_status: null } });
    await t.run();
    t.time.advance(DAY);
    t.store.updateMember("1", { attrs: { payment_status: "active" } });
    await t.run();
    expect(t.store.row("1")?.state).toBe("ok");
    expect((await t.store.ledger.list({ memberIds: ["1"] }))[0]?.lapsedAt).toBeNull();
    t.time.advance(3 * DAY);
    await t.run();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    expect(t.guild.count("removeRole")).toBe(0);
    expect(await t.kinds()).toEqual(["role.grace_started", "role.grace_cancelled"]);
  });

  it("kick on lapse: the member is kicked with an audit reason, its grants forgotten, the kick logged", async () => {
    const t = setup({ onLapse: "kick" });
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    await t.run();
    t.store.updateMember("1", { attrs: { payment_status: null } });
    const summary = await t.run();
    expect(summary.kicked).toBe(1);
    expect(t.guild.roles(uid(1))).toBeNull();
    expect(t.guild.calls.filter((c) => c.op === "removeMember")).toEqual([
      {
        op: "removeMember",
        userId: uid(1),
        reason: "guildkit: member 1 is no longer entitled: kicked (on lapse: kick)",
      },
    ]);
    expect(t.guild.count("removeRole")).toBe(0);
    expect(t.store.grantKeys()).toEqual([]);
    expect(t.store.row("1")?.state).toBe("not_in_guild");
    expect(await t.kinds()).toContain("role.member_kicked");
  });

  it("managed grants only: a role given by hand is never removed; the role guildkit granted is", async () => {
    const t = setup({ managedGrantsOnly: true });
    t.guild.add(uid(1), { roles: [ROLE_PAID] });
    t.guild.add(uid(2));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: null } });
    t.store.insertMember({ id: "2", discordUserId: uid(2), attrs: { payment_status: "active" } });
    await t.run();
    t.store.updateMember("2", { attrs: { payment_status: null } });
    await t.run();
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    expect(t.guild.roles(uid(2))).toEqual([]);
  });

  it("the dry run shows graces with their day, kicks and roles left alone, and changes nothing", async () => {
    const t = setup({ graceMs: 3 * DAY, managedGrantsOnly: true });
    t.guild.add(uid(1));
    t.guild.add(uid(2), { roles: [ROLE_PAID] });
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "active" } });
    t.store.insertMember({ id: "2", discordUserId: uid(2), attrs: { payment_status: null } });
    await t.run();
    t.store.updateMember("1", { attrs: { payment_status: null } });
    const plan = await t.reconciler.plan({ settings: t.settings, gateway: t.guild.gateway });
    expect(plan.graces).toEqual([
      expect.objectContaining({
        discordUserId: uid(1),
        roleId: ROLE_PAID,
        until: new Date(T0.getTime() + 3 * DAY),
      }),
    ]);
    expect(plan.graces[0]?.reason).toContain("on 2026-12-05");
    expect(plan.leftAlone.map((l) => l.discordUserId)).toEqual([uid(2)]);
    expect(plan.losses).toEqual([]);
    expect(plan.kicks).toEqual([]);
    expect((await t.store.ledger.list({ memberIds: ["1"] }))[0]?.lapsedAt).toBeNull();

    const kick = await t.reconciler.plan({
      settings: { ...t.settings, lifecycle: { onLapse: "kick" } },
      gateway: t.guild.gateway,
    });
    expect(kick.kicks.map((k) => k.discordUserId)).toEqual([uid(1)]);
  });
});
