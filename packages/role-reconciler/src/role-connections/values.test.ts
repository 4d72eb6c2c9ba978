import { describe, expect, it } from "vitest";
import type { EntitlementRule } from "../entitlement";
import { type MetadataRecord, parseMetadataRecords } from "./metadata-schema";
import { metadataFingerprint, metadataValues } from "./values";

const ROLE = "1200000000000000001";
const GOLD = "1200000000000000002";
const rules: EntitlementRule[] = [
  { kind: "present", column: "payment_status", roleIds: [ROLE] },
  { kind: "map", column: "tier", values: { gold: [GOLD] } },
];
const records: MetadataRecord[] = parseMetadataRecords([
  { key: "paying", name: "Paying", description: "Pays", type: 7, source: { kind: "paying" } },
  {
    key: "tier",
    name: "Tier",
    description: "Tier",
    type: 2,
    source: { kind: "tier", column: "tier", values: { gold: 3, silver: 2 }, ignoreCase: true },
  },
  {
    key: "member_since",
    name: "Since",
    description: "Since",
    type: 5,
    source: { kind: "member_since", column: "paid_since" },
  },
]);

describe("metadataValues", () => {
  it("maps an entitled member to paying 1, its tier's integer and the ISO date it paid since", () => {
    expect(
      metadataValues(records, rules, { payment_status: "active", tier: " Gold ", paid_since: "2026-01-05" }),
    ).toEqual({ paying: "1", tier: "3", member_since: "2026-01-05T00:00:00.000Z" });
    expect(
      metadataValues(records, rules, {
        payment_status: "active",
        tier: "silver",
        paid_since: new Date("2026-02-01T10:00:00Z"),
      }),
    ).toEqual({ paying: "1", tier: "2", member_since: "2026-02-01T10:00:00.000Z" });
  });

  it("gives tier 0 without a known tier and leaves out a member-since date that is empty or not a date", () => {
    expect(
      metadataValues(records, rules, { payment_status: "active", tier: "bronze", paid_since: "soon" }),
    ).toEqual({
      paying: "1",
      tier: "0",
    });
  });

  it("is null (the connection is cleared) when the same rules entitle the member to nothing", () => {
    expect(
      metadataValues(records, rules, { payment_status: null, tier: "silver", paid_since: "2026-01-05" }),
    ).toBeNull();
    expect(metadataValues(records, rules, { payment_status: "", tier: null })).toBeNull();
    // a map rule alone entitles too
    expect(metadataValues(records, rules, { payment_status: null, tier: "gold" })).toMatchObject({
      paying: "1",
      tier: "3",
    });
  });

  it("fingerprints values independently of key order", () => {
    expect(metadataFingerprint({ b: "1", a: "2" })).toBe(metadataFingerprint({ a: "2", b: "1" }));
    expect(metadataFingerprint(null)).toBeNull();
  });
});
