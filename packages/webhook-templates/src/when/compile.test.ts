import { describe, expect, it } from "vitest";
import { WhenClauseSyntaxError } from "../errors";
import type { WhenExpr } from "./ast";
import { compileWhenPostgres } from "./compile-postgres";
import { compileWhenSqlite } from "./compile-sqlite";
import { parseWhen } from "./parser";

const columns = [
  { name: "email", type: "text" },
  { name: "n", type: "integer" },
];

describe("compileWhenSqlite / compileWhenPostgres", () => {
  const cases: [string, string, string][] = [
    ["NEW.n = 1", `(NEW."n" = 1)`, `(NEW."n" = 1)`],
    ["NEW.n != -1.5", `(NEW."n" <> -1.5)`, `(NEW."n" <> -1.5)`],
    ["NEW.email < 'm'", `(NEW."email" < 'm')`, `(NEW."email" COLLATE "C" < 'm')`],
    ["NEW.email = 'm'", `(NEW."email" = 'm')`, `(NEW."email" = 'm')`],
    ["NEW.b = TRUE", `(NEW."b" = 1)`, `(NEW."b" = TRUE)`],
    ["NEW.b = FALSE", `(NEW."b" = 0)`, `(NEW."b" = FALSE)`],
    ["NEW.n IS NULL", `(NEW."n" IS NULL)`, `(NEW."n" IS NULL)`],
    ["NEW.n IS NOT NULL", `(NEW."n" IS NOT NULL)`, `(NEW."n" IS NOT NULL)`],
    ["NEW.n IS DISTINCT FROM OLD.n", `(NEW."n" IS NOT OLD."n")`, `(NEW."n" IS DISTINCT FROM OLD."n")`],
    ["NEW.n IS NOT DISTINCT FROM OLD.n", `(NEW."n" IS OLD."n")`, `(NEW."n" IS NOT DISTINCT FROM OLD."n")`],
    ["NEW.n IN (1, 2)", `(NEW."n" IN (1, 2))`, `(NEW."n" IN (1, 2))`],
    ["NEW.n NOT IN (1, NULL)", `(NEW."n" NOT IN (1, NULL))`, `(NEW."n" NOT IN (1, NULL))`],
    [
      "NEW.email LIKE '%@Ex.com'",
      `(NEW."email" LIKE '%@Ex.com' ESCAPE '\\')`,
      `(translate(CAST(NEW."email" AS text), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%@ex.com' ESCAPE E'\\\\')`,
    ],
    [
      "NEW.email NOT LIKE 'a\\%'",
      `(NEW."email" NOT LIKE 'a\\%' ESCAPE '\\')`,
      `(translate(CAST(NEW."email" AS text), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') NOT LIKE E'a\\\\%' ESCAPE E'\\\\')`,
    ],
    ["NEW.email = 'it''s'", `(NEW."email" = 'it''s')`, `(NEW."email" = 'it''s')`],
    ["NEW.email = 'back\\slash'", `(NEW."email" = 'back\\slash')`, `(NEW."email" = E'back\\\\slash')`],
    [
      "NOT (NEW.n = 1 OR NEW.n = 2) AND OLD.n > 0",
      `((NOT ((NEW."n" = 1) OR (NEW."n" = 2))) AND (OLD."n" > 0))`,
      `((NOT ((NEW."n" = 1) OR (NEW."n" = 2))) AND (OLD."n" > 0))`,
    ],
  ];
  it.each(cases)("%s", (source, sqlite, postgres) => {
    const ast = parseWhen(source);
    expect(compileWhenSqlite(ast)).toBe(sqlite);
    expect(compileWhenPostgres(ast, { columns })).toBe(postgres);
  });

  it("refuses a hand-built tree that would smuggle text into SQL", () => {
    const badColumn: WhenExpr = {
      kind: "is_null",
      negated: false,
      operand: { kind: "column", row: "NEW", name: 'x" = 1; DROP TABLE t; --', position: 0 },
      position: 0,
    };
    expect(() => compileWhenSqlite(badColumn)).toThrow(/may only hold letters/);
    expect(() => compileWhenPostgres(badColumn)).toThrow(/may only hold letters/);

    const badNumber: WhenExpr = {
      kind: "compare",
      op: "=",
      left: { kind: "number", text: "1; DROP TABLE t", position: 0 },
      right: { kind: "number", text: "1", position: 0 },
      position: 0,
    };
    expect(() => compileWhenSqlite(badNumber)).toThrow(WhenClauseSyntaxError);
    expect(() => compileWhenPostgres(badNumber)).toThrow(WhenClauseSyntaxError);

    const badRow = {
      ...badColumn,
      operand: { kind: "column", row: "X", name: "a", position: 0 },
    } as unknown as WhenExpr;
    expect(() => compileWhenSqlite(badRow)).toThrow(WhenClauseSyntaxError);

    const nul: WhenExpr = {
      kind: "compare",
      op: "=",
      left: { kind: "string", value: "a\u0000b", position: 0 },
      right: { kind: "string", value: "a", position: 0 },
      position: 0,
    };
    expect(() => compileWhenSqlite(nul)).toThrow(WhenClauseSyntaxError);
    expect(() => compileWhenPostgres(nul)).toThrow(WhenClauseSyntaxError);
  });
});
