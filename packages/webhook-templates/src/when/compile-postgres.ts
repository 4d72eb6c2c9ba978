import { normalizeColumns, resolveColumn, type TableColumn } from "../columns";
import type { Operand, WhenExpr } from "./ast";
import { assertNumberText, columnSql, postgresString } from "./literals";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

/** Options of {@link compileWhenPostgres}. */
export interface PostgresWhenOptions {
  /**
   * The table's columns with their types. When a column is known to be text, ordering comparisons
   * on it use `COLLATE "C"` so that they order by code point, as SQLite does.
   */
  columns?: readonly TableColumn[];
}

/**
 * Compiles a WHEN tree to Postgres SQL for `CREATE TRIGGER … WHEN (…)`. Every node is
 * parenthesised; columns are quoted identifiers, strings literals that read the same whatever
 * `standard_conforming_strings` says, and `LIKE` folds ASCII case on both sides
 * (`translate(…)`), matching SQLite's LIKE, with `\` as the escape character.
 */
export function compileWhenPostgres(expr: WhenExpr, options: PostgresWhenOptions = {}): string {
  const columns = normalizeColumns(options.columns ?? []);
  const isText = (o: Operand): boolean =>
    o.kind === "column" && resolveColumn(columns, o.name)?.kind === "text";

  const operand = (o: Operand, collate = false): string => {
    switch (o.kind) {
      case "column":
        return collate && isText(o) ? `${columnSql(o)} COLLATE "C"` : columnSql(o);
      case "string":
        return postgresString(o.value);
      case "number":
        return assertNumberText(o.text);
      case "boolean":
        return o.value ? "TRUE" : "FALSE";
      case "null":
        return "NULL";
    }
  };

  const compile = (e: WhenExpr): string => {
    switch (e.kind) {
      case "and":
        return `(${compile(e.left)} AND ${compile(e.right)})`;
      case "or":
        return `(${compile(e.left)} OR ${compile(e.right)})`;
      case "not":
        return `(NOT ${compile(e.operand)})`;
      case "compare": {
        const ordering = e.op !== "=" && e.op !== "!=";
        return `(${operand(e.left, ordering)} ${e.op === "!=" ? "<>" : e.op} ${operand(e.right, ordering)})`;
      }
      case "is_null":
        return `(${operand(e.operand)} IS ${e.negated ? "NOT " : ""}NULL)`;
      case "distinct":
        return `(${operand(e.left)} IS ${e.negated ? "NOT " : ""}DISTINCT FROM ${operand(e.right)})`;
      case "in":
        return `(${operand(e.operand)} ${e.negated ? "NOT " : ""}IN (${e.list.map((o) => operand(o)).join(", ")}))`;
      case "like": {
        const folded = e.pattern.replace(/[A-Z]/g, (c) => c.toLowerCase());
        return `(translate(CAST(${operand(e.operand)} AS text), '${UPPER}', '${LOWER}') ${
          e.negated ? "NOT " : ""
        }LIKE ${postgresString(folded)} ESCAPE E'\\\\')`;
      }
    }
  };

  return compile(expr);
}
