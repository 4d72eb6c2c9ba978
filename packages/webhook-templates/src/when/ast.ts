/**
 * The abstract syntax tree of a WHEN condition. Every node carries `position`, the 0-based offset in
 * the condition text where it starts, so later checks (columns, types) can point at it.
 */

/** Which row image a column reference reads. */
export type RowRef = "NEW" | "OLD";

/** `NEW.column` or `OLD.column`. */
export interface ColumnRef {
  kind: "column";
  row: RowRef;
  /** The column name; after {@link analyzeWhen}, spelled as the table spells it. */
  name: string;
  position: number;
}

/** A string literal (`'it''s'` holds `it's`). */
export interface StringLiteral {
  kind: "string";
  value: string;
  position: number;
}

/** A number literal, kept as written (`42`, `-1.5`, `1e3`) so big integers stay exact. */
export interface NumberLiteral {
  kind: "number";
  text: string;
  position: number;
}

/** `TRUE` or `FALSE`. */
export interface BooleanLiteral {
  kind: "boolean";
  value: boolean;
  position: number;
}

/** `NULL`. */
export interface NullLiteral {
  kind: "null";
  position: number;
}

/** Anything that yields a value. */
export type Operand = ColumnRef | StringLiteral | NumberLiteral | BooleanLiteral | NullLiteral;

/** The comparison operators of the grammar. */
export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** `a = b`, `a != b`, `a < b`, … */
export interface CompareExpr {
  kind: "compare";
  op: CompareOp;
  left: Operand;
  right: Operand;
  position: number;
}

/** `a IS NULL` / `a IS NOT NULL`. */
export interface IsNullExpr {
  kind: "is_null";
  negated: boolean;
  operand: Operand;
  position: number;
}

/** `a IS DISTINCT FROM b` (`negated: false`) / `a IS NOT DISTINCT FROM b` (`negated: true`). */
export interface DistinctExpr {
  kind: "distinct";
  negated: boolean;
  left: Operand;
  right: Operand;
  position: number;
}

/** `a IN (x, y)` / `a NOT IN (x, y)`. */
export interface InExpr {
  kind: "in";
  negated: boolean;
  operand: Operand;
  list: Operand[];
  position: number;
}

/**
 * `a LIKE 'pattern'` / `a NOT LIKE 'pattern'`. `%` matches any run, `_` one character, `\` escapes
 * the next character; ASCII letters match regardless of case (SQLite's rule, applied on Postgres too).
 */
export interface LikeExpr {
  kind: "like";
  negated: boolean;
  operand: Operand;
  pattern: string;
  position: number;
}

/** `a AND b` / `a OR b`. */
export interface LogicalExpr {
  kind: "and" | "or";
  left: WhenExpr;
  right: WhenExpr;
  position: number;
}

/** `NOT a`. */
export interface NotExpr {
  kind: "not";
  operand: WhenExpr;
  position: number;
}

/** A whole WHEN condition. */
export type WhenExpr = CompareExpr | IsNullExpr | DistinctExpr | InExpr | LikeExpr | LogicalExpr | NotExpr;

/** Every operand of an expression, left to right (useful for checks that look at each one). */
export function operandsOf(expr: WhenExpr): Operand[] {
  switch (expr.kind) {
    case "compare":
    case "distinct":
      return [expr.left, expr.right];
    case "is_null":
    case "like":
      return [expr.operand];
    case "in":
      return [expr.operand, ...expr.list];
    case "and":
    case "or":
      return [...operandsOf(expr.left), ...operandsOf(expr.right)];
    case "not":
      return operandsOf(expr.operand);
  }
}

/** A copy of `expr` with every `position` set to 0, for comparing trees regardless of layout. */
export function withoutPositions<T extends WhenExpr | Operand>(expr: T): T {
  return JSON.parse(JSON.stringify(expr), (key, value) => (key === "position" ? 0 : value)) as T;
}
