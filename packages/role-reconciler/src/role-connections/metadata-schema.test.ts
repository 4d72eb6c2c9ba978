import { describe, expect, it } from "vitest";
import { RoleConnectionSchemaError } from "./errors";
import { defaultMetadataRecords, discordMetadataRecords, parseMetadataRecords } from "./metadata-schema";

const paying = { key: "paying", name: "Paying", description: "Pays", type: 7, source: { kind: "paying" } };

describe("parseMetadataRecords", () => {
  it("accepts Discord's 8 types with a source of the matching family and strips the sources for Discord", () => {
    const records = parseMetadataRecords([
      paying,
      { key: "not_paying", name: "Not paying", description: "x", type: 8, source: { kind: "paying" } },
      {
        key: "tier",
        name: "Tier",
        description: "x",
        type: 1,
        source: { kind: "tier", column: "tier", values: { a: 1 } },
      },
      {
        key: "since",
        name: "Since",
        description: "x",
        type: 6,
        source: { kind: "member_since", column: "paid_since" },
      },
    ]);
    expect(discordMetadataRecords(records)).toEqual([
      { key: "paying", name: "Paying", description: "Pays", type: 7 },
      { key: "not_paying", name: "Not paying", description: "x", type: 8 },
      { key: "tier", name: "Tier", description: "x", type: 1 },
      { key: "since", name: "Since", description: "x", type: 6 },
    ]);
  });

  const invalid: [string, unknown, RegExp][] = [
    ["more than 5 records", Array.from({ length: 6 }, (_, i) => ({ ...paying, key: `k${i}` })), /at most 5/],
    ["a key outside a-z0-9_", [{ ...paying, key: "Paying-Member" }], /0\.key: must be 1–50 characters/],
    ["a key over 50 characters", [{ ...paying, key: "k".repeat(51) }], /0\.key/],
    [
      "a name over 100 and an empty description",
      [{ ...paying, name: "n".repeat(101), description: "" }],
      /0\.name.*0\.description/,
    ],
    ["a type outside 1–8", [{ ...paying, type: 9 }], /0\.type: must be one of Discord's types 1–8/],
    ["a repeated key", [paying, { ...paying, type: 8 }], /1\.key: repeats the key "paying"/],
    [
      "a paying source on an integer type",
      [{ ...paying, type: 2 }],
      /0\.type: a paying source needs a boolean type \(7–8\), not 2/,
    ],
    [
      "a member_since source on a boolean type",
      [{ ...paying, key: "since", source: { kind: "member_since", column: "paid_since" } }],
      /needs a datetime type \(5–6\)/,
    ],
    [
      "a tier column that is not a column name",
      [{ ...paying, type: 2, source: { kind: "tier", column: "Tier;", values: {} } }],
      /0\.source\.column/,
    ],
    ["no records", [], /at least one/],
  ];
  for (const [what, input, message] of invalid) {
    it(`refuses ${what} with RoleConnectionSchemaError naming the problem`, () => {
      let caught: unknown;
      try {
        parseMetadataRecords(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RoleConnectionSchemaError);
      expect((caught as RoleConnectionSchemaError).code).toBe("role_connection_schema");
      expect((caught as Error).message).toMatch(message);
    });
  }

  it("the default records are valid: paying, plus member since when a date column is named", () => {
    expect(parseMetadataRecords(defaultMetadataRecords()).map((r) => r.key)).toEqual(["paying"]);
    expect(
      parseMetadataRecords(defaultMetadataRecords({ memberSinceColumn: "paid_since" })).map((r) => r.key),
    ).toEqual(["paying", "member_since"]);
  });
});
