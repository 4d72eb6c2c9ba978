import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WhenClauseSyntaxError } from "../errors";
import { type Operand, operandsOf, type WhenExpr, withoutPositions } from "./ast";
import { compileWhenPostgres } from "./compile-postgres";
import { compileWhenSqlite } from "./compile-sqlite";
import { evaluateWhen } from "./evaluate";
import { parseWhen } from "./parser";
import { printWhen } from "./print";

// ---------------------------------------------------------------------------------------------
// Generators

const columnName = fc.constantFrom("a", "b", "email", "Name", "select", "from", "x_1", "_y");
const column: fc.Arbitrary<Operand> = fc.record({
  kind: fc.constant("column" as const),
  row: fc.constantFrom("NEW" as const, "OLD" as const),
  name: columnName,
  position: fc.constant(0),
});
const safeString = fc
  .string({
    unit: fc.constantFrom("a", "Z", "'", "\\", "%", "_", ";", "-", "/", "*", '"', " ", "é", "👍", "\n"),
    maxLength: 12,
  })
  .map((value) => ({ kind: "string" as const, value, position: 0 }));
const numberLit = fc
  .oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
    fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((d) => {
      const s = String(Math.abs(d) < 1e-6 ? 0 : d);
      return s.includes("e") ? "1.5" : s;
    }),
  )
  .map((text) => ({ kind: "number" as const, text, position: 0 }));
const literal: fc.Arbitrary<Operand> = fc.oneof(
  safeString,
  numberLit,
  fc.boolean().map((value) => ({ kind: "boolean" as const, value, position: 0 })),
);
const operand: fc.Arbitrary<Operand> = fc.oneof(column, column, literal);
const nonNull = operand;
const likePattern = fc
  .string({ unit: fc.constantFrom("a", "B", "%", "_", "'", "é"), maxLength: 8 })
  .chain((p) => fc.constantFrom(p, `${p}\\%`, `\\_${p}`));

const { expr } = fc.letrec<{ expr: WhenExpr; leaf: WhenExpr }>((tie) => ({
  leaf: fc.oneof(
    fc.record({
      kind: fc.constant("compare" as const),
      op: fc.constantFrom(
        "=" as const,
        "!=" as const,
        "<" as const,
        "<=" as const,
        ">" as const,
        ">=" as const,
      ),
      left: nonNull,
      right: nonNull,
      position: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant("is_null" as const),
      negated: fc.boolean(),
      operand,
      position: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant("distinct" as const),
      negated: fc.boolean(),
      left: operand,
      right: fc.oneof(operand, fc.constant({ kind: "null" as const, position: 0 })),
      position: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant("in" as const),
      negated: fc.boolean(),
      operand,
      list: fc.array(fc.oneof(operand, fc.constant({ kind: "null" as const, position: 0 })), {
        minLength: 1,
        maxLength: 4,
      }),
      position: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant("like" as const),
      negated: fc.boolean(),
      operand,
      pattern: likePattern,
      position: fc.constant(0),
    }),
  ),
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.record({
      kind: fc.constant("and" as const),
      left: tie("expr"),
      right: tie("expr"),
      position: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant("or" as const),
      left: tie("expr"),
      right: tie("expr"),
      position: fc.constant(0),
    }),
    fc.record({ kind: fc.constant("not" as const), operand: tie("expr"), position: fc.constant(0) }),
  ),
}));

/** Random text: grammar fragments, SQL-injection fragments and arbitrary characters, glued together. */
const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "NEW.a",
        "OLD.b",
        "NEW.",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "<>",
        "AND",
        "OR",
        "NOT",
        "IS",
        "NULL",
        "DISTINCT",
        "FROM",
        "IN",
        "LIKE",
        "TRUE",
        "FALSE",
        "(",
        ")",
        ",",
        "'x'",
        "'",
        "''",
        "1",
        "-2.5",
        "1e3",
        ";",
        "--",
        "/*",
        "*/",
        "DROP TABLE members",
        "SELECT",
        '"a"',
        "`a`",
        "\\",
        "\u0000",
        "\ud800",
        "é",
        "👍",
        " ",
        "\n",
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(" "));

/** A valid condition, printed, then damaged: characters inserted, deleted or swapped for soup. */
const mutated = fc
  .tuple(
    expr,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom("insert", "delete", "replace"),
        soup.map((t) => t.slice(0, 6)),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([ast, edits]) => {
    let text = printWhen(ast);
    for (const [at, kind, piece] of edits) {
      const i = text.length === 0 ? 0 : at % text.length;
      if (kind === "insert") text = text.slice(0, i) + piece + text.slice(i);
      else if (kind === "delete") text = text.slice(0, i) + text.slice(i + 1 + (at % 3));
      else text = text.slice(0, i) + piece + text.slice(i + piece.length);
    }
    return text;
  });

// ---------------------------------------------------------------------------------------------
// An independent reader of the compiled SQL: it tokenises it the way SQL does and checks that
// every token came from the compiler's rules — no statement break, no comment, no identifier or
// string that is not in the tree.

const SQL_WORDS = new Set([
  "NEW",
  "OLD",
  "AND",
  "OR",
  "NOT",
  "IS",
  "NULL",
  "IN",
  "LIKE",
  "ESCAPE",
  "DISTINCT",
  "FROM",
  "TRUE",
  "FALSE",
  "CAST",
  "AS",
  "text",
  "translate",
  "COLLATE",
]);

interface SqlToken {
  kind: "word" | "ident" | "string" | "number" | "punct";
  value: string;
}

function readSql(sql: string, dialect: "sqlite" | "postgres"): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql.charAt(i);
    if (c === " ") {
      i++;
      continue;
    }
    if (sql.startsWith("--", i) || sql.startsWith("/*", i) || c === ";")
      throw new Error(`unsafe token at ${i}`);
    if (dialect === "postgres" && c === "E" && sql.charAt(i + 1) === "'") {
      let v = "";
      let j = i + 2;
      for (;;) {
        const d = sql.charAt(j);
        if (d === "") throw new Error("unterminated E string");
        if (d === "\\") {
          v += sql.charAt(j + 1);
          j += 2;
          continue;
        }
        if (d === "'" && sql.charAt(j + 1) === "'") {
          v += "'";
          j += 2;
          continue;
        }
        if (d === "'") break;
        v += d;
        j++;
      }
      tokens.push({ kind: "string", value: v });
      i = j + 1;
      continue;
    }
    if (c === "'" || c === '"') {
      let v = "";
      let j = i + 1;
      for (;;) {
        const d = sql.charAt(j);
        if (d === "") throw new Error("unterminated quote");
        if (d === c && sql.charAt(j + 1) === c) {
          v += c;
          j += 2;
          continue;
        }
        if (d === c) break;
        v += d;
        j++;
      }
      tokens.push({ kind: c === "'" ? "string" : "ident", value: v });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word) {
      tokens.push({ kind: "word", value: word[0] });
      i += word[0].length;
      continue;
    }
    const num = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i));
    if (num) {
      tokens.push({ kind: "number", value: num[0] });
      i += num[0].length;
      continue;
    }
    const op = /^(<=|>=|<>|[=<>(),.])/.exec(sql.slice(i));
    if (op) {
      tokens.push({ kind: "punct", value: op[0] });
      i += op[0].length;
      continue;
    }
    throw new Error(`unexpected ${JSON.stringify(c)} at ${i} in ${sql}`);
  }
  return tokens;
}

function assertCompiledSafely(ast: WhenExpr, sql: string, dialect: "sqlite" | "postgres"): void {
  const tokens = readSql(sql, dialect);
  const columns = new Set(operandsOf(ast).flatMap((o) => (o.kind === "column" ? [o.name] : [])));
  const strings = new Set<string>(["\\", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "C"]);
  const numbers = new Set<string>(["1", "0"]);
  const visit = (e: WhenExpr) => {
    for (const o of operandsOf(e)) {
      if (o.kind === "string") strings.add(o.value);
      if (o.kind === "number") numbers.add(o.text);
    }
    if (e.kind === "like") {
      strings.add(e.pattern);
      strings.add(e.pattern.replace(/[A-Z]/g, (c) => c.toLowerCase()));
    }
    if (e.kind === "and" || e.kind === "or") {
      visit(e.left);
      visit(e.right);
    }
    if (e.kind === "not") visit(e.operand);
  };
  visit(ast);
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "word") expect(SQL_WORDS.has(t.value), `word ${t.value}`).toBe(true);
    if (t.kind === "ident")
      expect(columns.has(t.value) || t.value === "C", `identifier ${t.value}`).toBe(true);
    if (t.kind === "string") expect(strings.has(t.value), `string ${JSON.stringify(t.value)}`).toBe(true);
    if (t.kind === "number") expect(numbers.has(t.value), `number ${t.value}`).toBe(true);
    if (t.value === "(" && t.kind === "punct") depth++;
    if (t.value === ")" && t.kind === "punct") depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
}

// ---------------------------------------------------------------------------------------------

describe("WHEN grammar, property-based", () => {
  it("random input either parses to a tree that round-trips, or is rejected with a position", () => {
    fc.assert(
      fc.property(fc.oneof(soup, mutated), (source) => {
        let ast: WhenExpr;
        try {
          ast = parseWhen(source);
        } catch (err) {
          expect(err).toBeInstanceOf(WhenClauseSyntaxError);
          const e = err as WhenClauseSyntaxError;
          expect(e.position).toBeGreaterThanOrEqual(0);
          expect(e.position).toBeLessThanOrEqual(source.length);
          expect(e.expected.length).toBeGreaterThan(0);
          return;
        }
        const printed = printWhen(ast);
        expect(withoutPositions(parseWhen(printed))).toEqual(withoutPositions(ast));
        assertCompiledSafely(ast, compileWhenSqlite(ast), "sqlite");
        assertCompiledSafely(ast, compileWhenPostgres(ast), "postgres");
      }),
      { numRuns: 4000 },
    );
  });

  it("damaged conditions are sometimes still valid, and those round-trip too", () => {
    let parsed = 0;
    fc.assert(
      fc.property(mutated, (source) => {
        try {
          const ast = parseWhen(source);
          parsed++;
          expect(withoutPositions(parseWhen(printWhen(ast)))).toEqual(withoutPositions(ast));
        } catch (err) {
          expect(err).toBeInstanceOf(WhenClauseSyntaxError);
        }
      }),
      { numRuns: 1000 },
    );
    // The generator is useful only if it covers both outcomes.
    expect(parsed).toBeGreaterThan(100);
    expect(parsed).toBeLessThan(1000);
  });

  it("every tree prints to text that parses back to the same tree", () => {
    fc.assert(
      fc.property(expr, (ast) => {
        const printed = printWhen(ast);
        const reparsed = parseWhen(printed);
        expect(withoutPositions(reparsed)).toEqual(withoutPositions(ast));
        expect(printWhen(reparsed)).toBe(printed);
      }),
      { numRuns: 2000 },
    );
  });

  it("compiled SQL holds only what the tree holds, in both dialects", () => {
    const textColumns = ["a", "b", "email", "Name", "select", "from", "x_1", "_y"].map((name) => ({
      name,
      type: "text",
    }));
    fc.assert(
      fc.property(expr, (ast) => {
        assertCompiledSafely(ast, compileWhenSqlite(ast), "sqlite");
        assertCompiledSafely(ast, compileWhenPostgres(ast), "postgres");
        assertCompiledSafely(ast, compileWhenPostgres(ast, { columns: textColumns }), "postgres");
      }),
      { numRuns: 2000 },
    );
  });

  it("a reparsed tree evaluates like the original over random rows", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 4 }),
      fc.integer({ min: -5, max: 5 }),
      fc.boolean(),
      fc.bigInt({ min: 2n ** 60n, max: 2n ** 62n }),
    );
    const row = fc.record({
      a: value,
      b: value,
      email: value,
      Name: value,
      select: value,
      from: value,
      x_1: value,
      _y: value,
    });
    fc.assert(
      fc.property(expr, row, row, (ast, oldRow, newRow) => {
        const image = { old: oldRow, new: newRow };
        expect(evaluateWhen(parseWhen(printWhen(ast)), image)).toBe(evaluateWhen(ast, image));
      }),
      { numRuns: 1000 },
    );
  });
});
