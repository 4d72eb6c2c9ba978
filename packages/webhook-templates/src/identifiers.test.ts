import { describe, expect, it } from "vitest";
import { IdentifierError } from "./errors";
import { assertIdentifier, assertWatchableTable, isSafeIdentifier, quoteIdentifier } from "./identifiers";

describe("identifiers", () => {
  it("accepts plain names up to 63 characters and quotes them", () => {
    expect(isSafeIdentifier("members")).toBe(true);
    expect(isSafeIdentifier("_x9")).toBe(true);
    expect(isSafeIdentifier("a".repeat(63))).toBe(true);
    expect(quoteIdentifier("Members")).toBe('"Members"');
  });

  const refused: [string, string][] = [
    ["", "empty"],
    ["a".repeat(64), "too_long"],
    ["9lives", "invalid_characters"],
    ["my table", "invalid_characters"],
    ['x"y', "invalid_characters"],
    ["naïve", "invalid_characters"],
    ["a;b", "invalid_characters"],
    ["a-b", "invalid_characters"],
  ];
  it.each(refused)("refuses %j (%s)", (name, reason) => {
    try {
      assertIdentifier(name, "column");
    } catch (err) {
      expect(err).toBeInstanceOf(IdentifierError);
      expect((err as IdentifierError).reason).toBe(reason);
      return;
    }
    throw new Error("expected IdentifierError");
  });

  it("refuses guildkit's own tables and the catalogs as watched tables", () => {
    for (const name of [
      "webhook_outbox",
      "DISCORD_WEBHOOKS",
      "kysely_migration",
      "sqlite_master",
      "pg_class",
    ]) {
      expect(() => assertWatchableTable(name)).toThrow(/cannot be watched/);
    }
    expect(assertWatchableTable("members")).toBe("members");
  });
});
