import { describe, expect, it } from "vitest";
import { WhenClauseSyntaxError } from "../errors";
import { withoutPositions } from "./ast";
import { MAX_WHEN_DEPTH, parseWhen } from "./parser";
import { printWhen } from "./print";

function syntaxError(source: string): WhenClauseSyntaxError {
  try {
    parseWhen(source);
  } catch (err) {
    if (err instanceof WhenClauseSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
}

describe("parseWhen accepts the grammar", () => {
  const cases: [string, string][] = [
    ["NEW.a = 1", "NEW.a = 1"],
    ["new.a=1", "NEW.a = 1"],
    ["NEW.a != 'x'", "NEW.a != 'x'"],
    ["NEW.a < 1.5", "NEW.a < 1.5"],
    ["NEW.a <= -2", "NEW.a <= -2"],
    ["NEW.a > 1e3", "NEW.a > 1e3"],
    ["NEW.a >= OLD.a", "NEW.a >= OLD.a"],
    ["NEW.a IS NULL", "NEW.a IS NULL"],
    ["NEW.a is not null", "NEW.a IS NOT NULL"],
    ["NEW.a IS DISTINCT FROM OLD.a", "NEW.a IS DISTINCT FROM OLD.a"],
    ["NEW.a IS NOT DISTINCT FROM NULL", "NEW.a IS NOT DISTINCT FROM NULL"],
    ["NEW.a IN (1, 2, 3)", "NEW.a IN (1, 2, 3)"],
    ["NEW.a NOT IN ('x','y')", "NEW.a NOT IN ('x', 'y')"],
    ["NEW.a LIKE '%@example.com'", "NEW.a LIKE '%@example.com'"],
    ["NEW.a NOT LIKE 'a\\_b'", "NEW.a NOT LIKE 'a\\_b'"],
    ["NEW.a = TRUE", "NEW.a = TRUE"],
    ["NEW.a = false", "NEW.a = FALSE"],
    ["NEW.a = 1 AND NEW.b = 2 OR NEW.c = 3", "((NEW.a = 1 AND NEW.b = 2) OR NEW.c = 3)"],
    ["NEW.a = 1 OR NEW.b = 2 AND NEW.c = 3", "(NEW.a = 1 OR (NEW.b = 2 AND NEW.c = 3))"],
    ["NEW.a = 1 AND (NEW.b = 2 OR NEW.c = 3)", "(NEW.a = 1 AND (NEW.b = 2 OR NEW.c = 3))"],
    ["NOT NEW.a = 1", "NOT NEW.a = 1"],
    ["NOT (NEW.a = 1 OR NEW.b = 2)", "NOT (NEW.a = 1 OR NEW.b = 2)"],
    ["((NEW.a = 1))", "NEW.a = 1"],
    ["NEW.a = 'it''s'", "NEW.a = 'it''s'"],
    ["NEW.a = 'ünïcödé ✓ 👍'", "NEW.a = 'ünïcödé ✓ 👍'"],
    ["NEW.a = 'back\\slash'", "NEW.a = 'back\\slash'"],
    ["NEW.select = 1", "NEW.select = 1"],
    ["NEW.\tfrom\n= 1", "NEW.from = 1"],
    ["'x' = NEW.a", "'x' = NEW.a"],
    ["1 = 1", "1 = 1"],
    ["NEW.a = 007", "NEW.a = 007"],
    ["NEW.a = 123456789012345678901234567890", "NEW.a = 123456789012345678901234567890"],
  ];
  it.each(cases)("%s → %s", (source, printed) => {
    const ast = parseWhen(source);
    expect(printWhen(ast)).toBe(printed);
    expect(withoutPositions(parseWhen(printed))).toEqual(withoutPositions(ast));
  });

  it("records the position of every node", () => {
    const ast = parseWhen("NEW.a = 1 AND   OLD.b IS NULL");
    expect(ast.kind).toBe("and");
    if (ast.kind !== "and") return;
    expect(ast.right.position).toBe(16);
    if (ast.left.kind !== "compare") throw new Error("compare expected");
    expect(ast.left.right.position).toBe(8);
  });
});

describe("parseWhen rejects everything outside the grammar, with position and expectation", () => {
  const cases: [string, number, string][] = [
    ["", 0, "a condition"],
    ["   ", 3, "a condition"],
    ["NEW.a", 5, "a comparison"],
    ["NEW.a =", 7, "NEW.<column>"],
    ["NEW.a = 1 AND", 13, "NEW.<column>"],
    ["NEW.a = 1 NEW.b = 2", 10, "AND, OR or end of input"],
    ["a = 1", 0, "NEW.<column>"],
    ["NEW a = 1", 4, '"." after NEW'],
    ["NEW. = 1", 5, "a column name"],
    ["NEW.1a = 1", 4, "a column name"],
    ["NEW.a <> 1", 6, "a comparison"],
    ["NEW.a == 1", 6, "a comparison"],
    ["NEW.a = 1)", 9, "AND, OR or end of input"],
    ["(NEW.a = 1", 10, "AND, OR or )"],
    ["NEW.a IS 1", 9, "NULL, NOT NULL, DISTINCT FROM"],
    ["NEW.a IS NOT 1", 13, "NULL or DISTINCT FROM"],
    ["NEW.a IS DISTINCT NEW.b", 18, "FROM"],
    ["NEW.a NOT = 1", 10, "IN or LIKE"],
    ["NEW.a IN 1", 9, "( to open the IN list"],
    ["NEW.a IN ()", 10, "NEW.<column>"],
    ["NEW.a IN (1 2)", 12, ", or )"],
    ["NEW.a LIKE NEW.b", 11, "a string pattern"],
    ["NEW.a LIKE 'ab\\'", 14, "a character after the escape"],
    ["NEW.a = 'open", 8, "NEW.<column>"],
    ["NEW.a = 1.", 8, "NEW.<column>"],
    ["NEW.a = 1abc", 8, "NEW.<column>"],
    ["NEW.a = - 1", 10, "a number right after -"],
    ["NEW.a = NULL", 8, "a value other than NULL"],
    ["NULL != NEW.a", 0, "a value other than NULL"],
    ["NEW.a = lower('X')", 8, "NEW.<column>"],
    ["NEW.a = ?", 8, "NEW.<column>"],
    ["NEW.a = $1", 8, "NEW.<column>"],
    ["NEW.a = :x", 8, "NEW.<column>"],
    ['NEW."a" = 1', 4, "a column name"],
    ["NEW.`a` = 1", 4, "a column name"],
    ["NEW.[a] = 1", 4, "a column name"],
    ["NEW.a = 1 + 1", 10, "AND, OR or end of input"],
    ["NEW.a || 'x' = 1", 6, "a comparison"],
    ["NEW.a\u00a0= 1", 5, "a comparison"],
    ["NEW.ä = 1", 4, "a column name"],
    ["EXISTS (SELECT 1)", 0, "NEW.<column>"],
    ["NEW.a = (SELECT 1)", 8, "NEW.<column>"],
  ];
  it.each(cases)("%j is rejected at %i, expecting %s", (source, position, expected) => {
    const err = syntaxError(source);
    expect(err.name).toBe("WhenClauseSyntaxError");
    expect(err.code).toBe("when_syntax");
    expect(err.position).toBe(position);
    expect(err.expected).toContain(expected);
    expect(err.found.length).toBeGreaterThan(0);
  });

  it("names what it found", () => {
    expect(syntaxError("NEW.a = 1; DROP TABLE members").found).toContain('";"');
    expect(syntaxError("NEW.a = 1 -- x").found).toContain("comments are not allowed");
    expect(syntaxError("NEW.a =").found).toBe("end of input");
  });
});

describe("injection attempts are rejected, never passed through", () => {
  const attempts = [
    "1=1; DROP TABLE members",
    "NEW.a = 1; DROP TABLE members; --",
    "NEW.a = 1 -- AND NEW.b = 2",
    "NEW.a = 1 /* comment */",
    "NEW.a = 1 */",
    "NEW.a = '' OR 1=1 --'",
    "NEW.a = 'x'; DELETE FROM members WHERE 'a' = 'a'",
    "NEW.a = 'x'' OR ''1''=''1'",
    "NEW.a = 'x\\'; DROP TABLE t; --'",
    "NEW.a = 1 BEGIN DELETE FROM members; END",
    'NEW.a = 1) OR ("x" = "x"',
    "NEW.a = 1 UNION SELECT password FROM users",
    "NEW.a = char(39)",
    "NEW.a = x'41'",
    "NEW.a = 'nul\u0000byte'",
    "NEW.a = '\ud800'",
    "NEW.a = 1\u2028OR 1=1",
    "NEW.a ＝ 1",
    "NEW.a = 1 ; ",
    "NEW.a = 0x10",
  ];
  it.each(attempts)("%j", (source) => {
    if (source === "NEW.a = 'x'' OR ''1''=''1'") {
      // Doubled quotes stay inside one string literal: harmless, and printed back as the same literal.
      const ast = parseWhen(source);
      expect(ast.kind).toBe("compare");
      expect(printWhen(ast)).toBe("NEW.a = 'x'' OR ''1''=''1'");
      expect(ast.kind === "compare" && ast.right.kind === "string" && ast.right.value).toBe("x' OR '1'='1");
      return;
    }
    if (source === "NEW.a = 'x\\'; DROP TABLE t; --'") {
      // A backslash does not escape a quote in SQL: the literal ends at \' and the rest is refused.
      const err = syntaxError(source);
      expect(err.position).toBe(12);
      return;
    }
    expect(() => parseWhen(source)).toThrow(WhenClauseSyntaxError);
  });
});

describe("limits", () => {
  it("refuses deeper nesting than the limit", () => {
    const deep = `${"(".repeat(MAX_WHEN_DEPTH + 1)}NEW.a = 1${")".repeat(MAX_WHEN_DEPTH + 1)}`;
    expect(syntaxError(deep).expected).toContain("levels of nesting");
    const ok = `${"(".repeat(MAX_WHEN_DEPTH)}NEW.a = 1${")".repeat(MAX_WHEN_DEPTH)}`;
    expect(() => parseWhen(ok)).not.toThrow();
  });

  it("refuses a condition longer than 4,000 characters", () => {
    expect(syntaxError(`NEW.a = '${"x".repeat(4000)}'`).expected).toContain("at most 4000 characters");
  });

  it("refuses column names longer than 63 characters", () => {
    expect(syntaxError(`NEW.${"a".repeat(64)} = 1`).expected).toContain("at most 63");
  });
});
