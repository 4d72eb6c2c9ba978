import { describe, expect, it } from "vitest";
import { defaultRules, type EntitlementRule, managedRoles } from "./entitlement";
import { auditReason, memberAccounts, planAccount } from "./plan";
import type { SyncEntry } from "./ports";

const PAID = "900000000000000001";
const GOLD = "900000000000000002";
const SILVER = "900000000000000003";
const OTHER = "900000000000000099";
const D1 = "100000000000000001";
const D2 = "100000000000000002";
const rules = defaultRules([PAID]);
const managed = managedRoles(rules);
const paid = { payment_status: "active" };
const unpaid = { payment_status: null };

describe("planAccount (current account)", () => {
  it("adds a missing entitled role with an audit reason and records the grant first", () => {
    const plan = planAccount({
      rules,
      managed,
      memberId: "1",
      discordUserId: D1,
      relation: "current",
      linked: [{ memberId: "1", attributes: paid }],
      ownGrants: new Set(),
      held: [OTHER],
    });
    expect(plan.add).toEqual([
      {
        discordUserId: D1,
        roleId: PAID,
        action: "add",
        memberIds: ["1"],
        reason: "guildkit: member 1 entitled (payment_status is set)",
      },
    ]);
    expect(plan.remove).toEqual([]);
    expect(plan.grantsBefore).toEqual([
      { memberId: "1", discordUserId: D1, roleId: PAID, origin: "granted" },
    ]);
  });

  it("changes nothing when Discord already matches, and never touches unmanaged roles", () => {
    const plan = planAccount({
      rules,
      managed,
      memberId: "1",
      discordUserId: D1,
      relation: "current",
      linked: [{ memberId: "1", attributes: paid }],
      ownGrants: new Set([PAID]),
      held: [PAID, OTHER],
    });
    expect(plan.add).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.grantsBefore).toEqual([]);
    expect(plan.forgetAfter).toEqual([]);
  });

  it("removes a managed role nobody linked is entitled to", () => {
    const plan = planAccount({
      rules,
      managed,
      memberId: "1",
      discordUserId: D1,
      relation: "current",
      linked: [{ memberId: "1", attributes: unpaid }],
      ownGrants: new Set([PAID]),
      held: [PAID, OTHER],
    });
    expect(plan.remove.map((c) => c.roleId)).toEqual([PAID]);
    expect(plan.remove[0]?.reason).toBe("guildkit: member 1 is no longer entitled");
    expect(plan.forgetAfter).toEqual([{ memberId: "1", discordUserId: D1, roleId: PAID }]);
  });

  it("keeps the role of an account shared with an entitled member (union, no flap)", () => {
    const linked = [
      { memberId: "1", attributes: unpaid },
      { memberId: "2", attributes: paid },
    ];
    for (const memberId of ["1", "2"]) {
      const plan = planAccount({
        rules,
        managed,
        memberId,
        discordUserId: D1,
        relation: "current",
        linked,
        ownGrants: new Set(),
        held: [PAID],
      });
      expect(plan.add).toEqual([]);
      expect(plan.remove).toEqual([]);
    }
  });

  it("records grants for every entitled member of a shared account when adding", () => {
    const plan = planAccount({
      rules,
      managed,
      memberId: "1",
      discordUserId: D1,
      relation: "current",
      linked: [
        { memberId: "1", attributes: unpaid },
        { memberId: "2", attributes: paid },
        { memberId: "3", attributes: paid },
      ],
      ownGrants: new Set(),
      held: [],
    });
    expect(plan.add[0]?.memberIds).toEqual(["2", "3"]);
    expect(plan.grantsBefore.map((g) => g.memberId)).toEqual(["2", "3"]);
  });

  it("plans no call for an account not in the guild and forgets its grants", () => {
    const plan = planAccount({
      rules,
      managed,
      memberId: "1",
      discordUserId: D1,
      relation: "current",
      linked: [{ memberId: "1", attributes: paid }],
      ownGrants: new Set([PAID]),
      held: null,
    });
    expect(plan.inGuild).toBe(false);
    expect(plan.add).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.forgetAfter).toEqual([{ memberId: "1", discordUserId: D1, roleId: PAID }]);
  });

  it("moves between tiers: removes the old tier role, adds the new one", () => {
    const tierRules: EntitlementRule[] = [
      { kind: "map", column: "tier", values: { gold: [GOLD], silver: [SILVER] } },
    ];
    const plan = planAccount({
      rules: tierRules,
      managed: managedRoles(tierRules),
      memberId: "1",
      discordUserId: D1,
      relation: "current",
      linked: [{ memberId: "1", attributes: { tier: "silver" } }],
      ownGrants: new Set([GOLD]),
      held: [GOLD],
    });
    expect(plan.add.map((c) => c.roleId)).toEqual([SILVER]);
    expect(plan.remove.map((c) => c.roleId)).toEqual([GOLD]);
  });
});

describe("planAccount (previous account)", () => {
  it("revokes only the roles granted on account of the member", () => {
    const plan = planAccount({
      rules,
      managed,
      memberId: "1",
      discordUserId: D1,
      relation: "previous",
      cause: "unlinked",
      linked: [],
      ownGrants: new Set([PAID]),
      held: [PAID, OTHER],
    });
    expect(plan.remove).toEqual([
      {
        discordUserId: D1,
        roleId: PAID,
        action: "remove",
        memberIds: ["1"],
        reason: "guildkit: Discord account unlinked from member 1",
      },
    ]);
    expect(plan.forgetAfter).toEqual([{ memberId: "1", discordUserId: D1, roleId: PAID }]);
  });

  it("keeps the role when another member still linked to the old account is entitled", () => {
    const plan = planAccount({
      rules,
      managed,
      memberId: "1",
      discordUserId: D1,
      relation: "previous",
      cause: "relinked",
      linked: [{ memberId: "2", attributes: paid }],
      ownGrants: new Set([PAID]),
      held: [PAID],
    });
    expect(plan.remove).toEqual([]);
    expect(plan.grantsBefore).toEqual([
      { memberId: "2", discordUserId: D1, roleId: PAID, origin: "granted" },
    ]);
    expect(plan.forgetAfter).toEqual([{ memberId: "1", discordUserId: D1, roleId: PAID }]);
  });

  it("says why in the audit log: deleted, unlinked or relinked", () => {
    const reason = (cause: "deleted" | "unlinked" | "relinked") =>
      planAccount({
        rules,
        managed,
        memberId: "7",
        discordUserId: D1,
        relation: "previous",
        cause,
        linked: [],
        ownGrants: new Set([PAID]),
        held: [PAID],
      }).remove[0]?.reason;
    expect(reason("deleted")).toBe("guildkit: member 7 was deleted");
    expect(reason("relinked")).toBe("guildkit: member 7 linked another Discord account");
  });
});

describe("memberAccounts", () => {
  const entry = (over: Partial<SyncEntry>): SyncEntry => ({
    memberId: "1",
    discordUserId: D2,
    deleted: false,
    attributes: {},
    profile: { displayName: null, avatarHash: null },
    attempts: 0,
    state: null,
    dirty: true,
    dueAt: new Date(0),
    version: 1,
    ...over,
  });

  it("splits grants between the current account and previous ones to revoke", () => {
    const grants = [
      { memberId: "1", discordUserId: D1, roleId: PAID },
      { memberId: "1", discordUserId: D2, roleId: GOLD },
      { memberId: "2", discordUserId: D1, roleId: PAID },
    ];
    const a = memberAccounts(entry({}), grants);
    expect(a.current).toBe(D2);
    expect([...a.currentGrants]).toEqual([GOLD]);
    expect([...a.previous.keys()]).toEqual([D1]);
    expect(a.cause).toBe("relinked");
    expect(memberAccounts(entry({ discordUserId: null }), grants).cause).toBe("unlinked");
    const deleted = memberAccounts(entry({ deleted: true }), grants);
    expect(deleted.cause).toBe("deleted");
    expect(deleted.current).toBeNull();
    expect([...deleted.previous.keys()].sort()).toEqual([D1, D2]);
  });
});

describe("auditReason", () => {
  it("keeps reasons within Discord's 512 characters", () => {
    expect([...auditReason("x".repeat(600))].length).toBe(512);
    expect(auditReason("short")).toBe("short");
  });
});
