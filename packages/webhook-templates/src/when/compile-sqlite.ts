import type { Operand, WhenExpr } from "./ast";
import { assertNumberText, columnSql, standardString } from "./literals";

/**
 * Compiles a WHEN tree to SQLite SQL for `CREATE TRIGGER … WHEN (…)`. Every node is parenthesised;
 * columns are quoted identifiers, strings quoted literals, booleans `1`/`0`, `IS DISTINCT FROM`
 * SQLite's null-safe `IS NOT`, and `LIKE` carries `ESCAPE '\'`. Nothing from the condition text
 * reaches the output except through these rules.
 */
export function compileWhenSqlite(expr: WhenExpr): string {
  switch (expr.kind) {
    case "and":
      return `(${compileWhenSqlite(expr.left)} AND ${compileWhenSqlite(expr.right)})`;
    case "or":
      return `(${compileWhenSqlite(expr.left)} OR ${compileWhenSqlite(expr.right)})`;
    case "not":
      return `(NOT ${compileWhenSqlite(expr.operand)})`;
    case "compare":
      return `(${operand(expr.left)} ${expr.op === "!=" ? "<>" : expr.op} ${operand(expr.right)})`;
    case "is_null":
      return `(${operand(expr.operand)} IS ${expr.negated ? "NOT " : ""}NULL)`;
    case "distinct":
      // SQLite's IS / IS NOT are the null-safe comparisons (IS DISTINCT FROM needs 3.39+).
      return `(${operand(expr.left)} ${expr.negated ? "IS" : "IS NOT"} ${operand(expr.right)})`;
    case "in":
      return `(${operand(expr.operand)} ${expr.negated ? "NOT " : ""}IN (${expr.list.map(operand).join(", ")}))`;
    case "like":
      return `(${operand(expr.operand)} ${expr.negated ? "NOT " : ""}LIKE ${standardString(expr.pattern)} ESCAPE '\\')`;
  }
}

function operand(o: Operand): string {
  switch (o.kind) {
    case "column":
      return columnSql(o);
    case "string":
      return standardString(o.value);
    case "number":
      return assertNumberText(o.text);
    case "boolean":
      return o.value ? "1" : "0";
    case "null":
      return "NULL";
  }
}
