import type { Operand, WhenExpr } from "./ast";

/**
 * Prints a WHEN tree back in the grammar's own syntax, canonically: keywords upper-case, every
 * AND/OR group in parentheses, strings single-quoted. `parseWhen(printWhen(x))` gives back `x`
 * (positions aside).
 */
export function printWhen(expr: WhenExpr): string {
  switch (expr.kind) {
    case "and":
      return `(${printWhen(expr.left)} AND ${printWhen(expr.right)})`;
    case "or":
      return `(${printWhen(expr.left)} OR ${printWhen(expr.right)})`;
    case "not":
      return `NOT ${printWhen(expr.operand)}`;
    case "compare":
      return `${printOperand(expr.left)} ${expr.op} ${printOperand(expr.right)}`;
    case "is_null":
      return `${printOperand(expr.operand)} IS ${expr.negated ? "NOT " : ""}NULL`;
    case "distinct":
      return `${printOperand(expr.left)} IS ${expr.negated ? "NOT " : ""}DISTINCT FROM ${printOperand(expr.right)}`;
    case "in":
      return `${printOperand(expr.operand)} ${expr.negated ? "NOT " : ""}IN (${expr.list.map(printOperand).join(", ")})`;
    case "like":
      return `${printOperand(expr.operand)} ${expr.negated ? "NOT " : ""}LIKE ${quoteString(expr.pattern)}`;
  }
}

/** Prints one operand in the grammar's syntax. */
export function printOperand(o: Operand): string {
  switch (o.kind) {
    case "column":
      return `${o.row}.${o.name}`;
    case "string":
      return quoteString(o.value);
    case "number":
      return o.text;
    case "boolean":
      return o.value ? "TRUE" : "FALSE";
    case "null":
      return "NULL";
  }
}

function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
