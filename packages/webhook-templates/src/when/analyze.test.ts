import { describe, expect, it } from "vitest";
import { WhenClauseColumnError, WhenClauseTypeError } from "../errors";
import { analyzeWhen, checkWhen } from "./analyze";
import { parseWhen } from "./parser";
import { printWhen } from "./print";

const columns = [
  { name: "id", type: "INTEGER" },
  { name: "email", type: "TEXT" },
  { name: "Name", type: "character varying(80)" },
  { name: "paid", type: "boolean" },
  { name: "created_at", type: "timestamp with time zone" },
  "untyped",
];
const typed = [
  ...columns,
  { name: "born", type: "date" },
  { name: "seen", type: "DATETIME" },
  { name: "token", type: "uuid" },
  { name: "other_token", type: "uuid" },
  { name: "meta", type: "jsonb" },
  { name: "at", type: "time without time zone" },
];
const checkTyped = (source: string) => checkWhen(parseWhen(source), { columns: typed, operation: "UPDATE" });

const check = (source: string, operation: "INSERT" | "UPDATE" | "DELETE" = "UPDATE") =>
  checkWhen(parseWhen(source), { columns, operation });

describe("analyzeWhen: columns", () => {
  it("resolves column names ignoring case, to the table's spelling", () => {
    expect(printWhen(check("NEW.NAME = 'x' AND OLD.Email IS NULL"))).toBe(
      "(NEW.Name = 'x' AND OLD.email IS NULL)",
    );
  });

  it("refuses an unknown column, listing the table's columns and the closest one", () => {
    const err = (() => {
      try {
        check("NEW.id = 1 AND NEW.emial = 'x'");
      } catch (e) {
        return e as WhenClauseColumnError;
      }
      throw new Error("expected an error");
    })();
    expect(err).toBeInstanceOf(WhenClauseColumnError);
    expect(err.reason).toBe("unknown_column");
    expect(err.position).toBe(15);
    expect(err.reference).toBe("NEW.emial");
    expect(err.columns).toEqual(["id", "email", "Name", "paid", "created_at", "untyped"]);
    expect(err.message).toContain("did you mean email?");
    expect(err.message).toContain("id, email, Name, paid, created_at, untyped");
  });

  it("refuses OLD. in an INSERT trigger and NEW. in a DELETE trigger", () => {
    expect(() => check("OLD.id = 1", "INSERT")).toThrow(/INSERT trigger has no OLD row/);
    expect(() => check("NEW.id = 1", "DELETE")).toThrow(/DELETE trigger has no NEW row/);
    expect(() => check("OLD.id = 1", "DELETE")).not.toThrow();
    expect(() => check("NEW.id = OLD.id", "UPDATE")).not.toThrow();
  });

  it("reports every problem, not only the first", () => {
    const { problems } = analyzeWhen(parseWhen("OLD.nope = 1 OR NEW.email = 5 OR OLD.id IN (1, 'x')"), {
      columns,
      operation: "INSERT",
    });
    expect(problems.map((p) => [p.name, p.position])).toEqual([
      ["WhenClauseColumnError", 0],
      ["WhenClauseColumnError", 0],
      ["WhenClauseTypeError", 16],
      ["WhenClauseColumnError", 33],
      ["WhenClauseTypeError", 47],
    ]);
  });
});

describe("analyzeWhen: types (when known)", () => {
  const accepted = [
    "NEW.email = 'x'",
    "NEW.id = 5",
    "NEW.id = '5'",
    "NEW.id IN (1, '2', 3)",
    "NEW.paid = TRUE",
    "NEW.paid IS DISTINCT FROM OLD.paid",
    "NEW.created_at > '2024-01-01'",
    "NEW.untyped = 5 OR NEW.untyped = 'x'",
    "NEW.email LIKE '%x%' AND NEW.id LIKE '1%'",
    "NEW.email = NEW.Name",
    "'5' = 5",
  ];
  it.each(accepted)("accepts %s", (source) => {
    expect(() => check(source)).not.toThrow();
  });

  const refused: [string, string][] = [
    ["NEW.email = 5", "NEW.email is a text column"],
    ["5 = NEW.email", "NEW.email is a text column"],
    ["NEW.id = 'five'", "NEW.id is a number column; 'five' is not a number"],
    ["NEW.id IN (1, 'x')", "'x' is not a number"],
    ["NEW.paid = 1", "NEW.paid is a boolean column"],
    ["NEW.paid = 'yes'", "NEW.paid is a boolean column"],
    ["NEW.id = TRUE", "NEW.id is a number column; it cannot be compared with TRUE"],
    ["NEW.email = NEW.id", "text column NEW.email cannot be compared with number column NEW.id"],
    ["'a' = 1", "1 is a number; 'a' is not a number"],
    ["TRUE = 1", "1 cannot be compared with TRUE"],
  ];
  it.each(refused)("refuses %s", (source, message) => {
    try {
      check(source);
    } catch (err) {
      expect(err).toBeInstanceOf(WhenClauseTypeError);
      expect((err as Error).message).toContain(message);
      return;
    }
    throw new Error("expected a type error");
  });
});

describe("analyzeWhen: date/time, UUID and JSON columns (what Postgres would refuse at CREATE TRIGGER)", () => {
  const accepted = [
    "NEW.created_at > '2024-01-01'",
    "NEW.created_at >= '2024-02-29 23:59:59.123456'",
    "NEW.created_at < '2024-01-31T12:00:00Z' AND NEW.seen > '2024-01-31T12:00+02:00'",
    "NEW.born = '1999-12-31' OR NEW.born IN ('2000-01-01', NULL)",
    "NEW.created_at IS DISTINCT FROM OLD.created_at AND NEW.born < NEW.created_at",
    "NEW.token = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' AND NEW.token != OLD.other_token",
    "NEW.meta IS NOT NULL AND OLD.meta IS NULL",
    "NEW.meta IS DISTINCT FROM NULL",
    "NEW.created_at LIKE '2024-%'",
    "NEW.at > 5",
  ];
  it.each(accepted)("accepts %s", (source) => {
    expect(() => checkTyped(source)).not.toThrow();
  });

  const refused: [string, number, string, string][] = [
    ["NEW.created_at > 5", 0, "NEW.created_at is a date/time column; compare it with a date", "ISO-8601"],
    ["NEW.born = TRUE", 0, "not TRUE", "ISO-8601"],
    ["NEW.seen > 'yesterday'", 0, "'yesterday' is not a date or timestamp", "ISO-8601"],
    ["NEW.created_at > '2024-02-30'", 0, "'2024-02-30' is not", "ISO-8601"],
    ["NEW.created_at > '2024-01-01 24:00'", 0, "is not a date or timestamp", "ISO-8601"],
    ["NEW.born IN ('2024-01-01', 'soon')", 27, "'soon' is not", "ISO-8601"],
    ["NEW.created_at = NEW.email", 0, "not text column NEW.email", "ISO-8601"],
    ["NEW.token = 'abc'", 0, "NEW.token is a UUID column; 'abc' is not a UUID", "UUID"],
    ["NEW.token = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", 0, "in lower case", "UUID"],
    ["NEW.token = 42", 0, "not 42", "UUID"],
    ["NEW.token = NEW.created_at", 0, "not date/time column NEW.created_at", "UUID"],
    ["NEW.meta = 'x'", 0, "NEW.meta is a JSON column; test it with IS NULL or IS NOT NULL only", "IS NULL"],
    ["NEW.meta IS DISTINCT FROM OLD.meta", 0, "NEW.meta is a JSON column", "IS NULL"],
    ["NEW.meta LIKE '%x%'", 0, "NEW.meta is a JSON column", "IS NULL"],
    ["NEW.id = 1 AND NEW.meta IN (NULL)", 28, "NEW.meta is a JSON column", "IS NULL"],
  ];
  it.each(refused)(
    "refuses %s, with the position and what was expected",
    (source, position, message, expected) => {
      try {
        checkTyped(source);
      } catch (err) {
        expect(err).toBeInstanceOf(WhenClauseTypeError);
        const e = err as WhenClauseTypeError;
        expect(e.message).toContain(message);
        expect(e.position).toBe(position);
        expect(e.expected).toContain(expected);
        return;
      }
      throw new Error("expected a type error");
    },
  );
});
