import { describe, expect, it } from "vitest";
import {
  defaultRules,
  desiredRoles,
  type EntitlementRule,
  entitledRoles,
  managedRoles,
  resolveRules,
  ruleColumns,
} from "./entitlement";
import { EntitlementRulesError } from "./errors";

const PAID = "900000000000000001";
const GOLD = "900000000000000002";
const SILVER = "900000000000000003";
const CHAT = "900000000000000004";

const tiers: EntitlementRule[] = [
  { kind: "present", column: "payment_status", roleIds: [PAID] },
  { kind: "map", column: "tier", values: { gold: [GOLD, CHAT], silver: [SILVER, CHAT] } },
];

describe("entitlement rules", () => {
  it("by default, a non-empty payment_status holds the configured roles", () => {
    const rules = resolveRules({ roleIds: [PAID] });
    expect(rules).toEqual(defaultRules([PAID]));
    expect([...entitledRoles(rules, { payment_status: "active" }).keys()]).toEqual([PAID]);
    expect(entitledRoles(rules, { payment_status: "active" }).get(PAID)).toBe("payment_status is set");
  });

  it("NULL, empty and blank payment_status hold nothing", () => {
    const rules = defaultRules([PAID]);
    for (const value of [null, undefined, "", "   ", 0, false]) {
      expect(entitledRoles(rules, { payment_status: value }).size).toBe(0);
    }
    expect(entitledRoles(rules, { payment_status: 1 }).size).toBe(1);
    expect(entitledRoles(rules, { payment_status: true }).size).toBe(1);
  });

  it("maps a tier column to several roles per tier", () => {
    expect([...entitledRoles(tiers, { payment_status: "ok", tier: "gold" }).keys()].sort()).toEqual(
      [PAID, GOLD, CHAT].sort(),
    );
    expect([...entitledRoles(tiers, { payment_status: null, tier: " silver " }).keys()].sort()).toEqual(
      [SILVER, CHAT].sort(),
    );
    expect(entitledRoles(tiers, { tier: "Gold" }).size).toBe(0);
    expect(entitledRoles(tiers, { tier: "bronze" }).size).toBe(0);
    expect(entitledRoles(tiers, { tier: "gold" }).get(GOLD)).toBe('tier = "gold"');
  });

  it("can compare tier values case-insensitively", () => {
    const rules: EntitlementRule[] = [
      { kind: "map", column: "tier", values: { gold: [GOLD] }, ignoreCase: true },
    ];
    expect(entitledRoles(rules, { tier: "GOLD" }).has(GOLD)).toBe(true);
  });

  it("lists the managed roles and the columns the rules read", () => {
    expect([...managedRoles(tiers)].sort()).toEqual([PAID, GOLD, SILVER, CHAT].sort());
    expect(ruleColumns(tiers)).toEqual(["payment_status", "tier"]);
  });

  it("an account shared by two members holds the union of their entitlements", () => {
    const desired = desiredRoles(tiers, [
      { memberId: "1", attributes: { payment_status: null, tier: "silver" } },
      { memberId: "2", attributes: { payment_status: "paid", tier: null } },
      { memberId: "3", attributes: { payment_status: null, tier: "gold" } },
    ]);
    expect([...desired.keys()].sort()).toEqual([PAID, GOLD, SILVER, CHAT].sort());
    expect(desired.get(CHAT)?.memberIds).toEqual(["1", "3"]);
    expect(desired.get(PAID)?.memberIds).toEqual(["2"]);
  });

  it("rejects invalid rules with every problem listed", () => {
    try {
      resolveRules({ rules: [{ kind: "present", column: "Payment Status; DROP", roleIds: ["abc"] }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EntitlementRulesError);
      const e = error as EntitlementRulesError;
      expect(e.name).toBe("EntitlementRulesError");
      expect(e.code).toBe("invalid_entitlement_rules");
      expect(e.issues.length).toBe(2);
    }
    expect(() => resolveRules({ roleIds: [] })).toThrow(EntitlementRulesError);
    expect(() => resolveRules({ rules: [] })).toThrow(EntitlementRulesError);
  });
});
