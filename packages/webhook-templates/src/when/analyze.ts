import {
  type ColumnInfo,
  type ColumnKind,
  listColumns,
  normalizeColumns,
  resolveColumn,
  suggestColumn,
  type TableColumn,
} from "../columns";
import { WhenClauseColumnError, WhenClauseTypeError } from "../errors";
import type { Operation } from "../operation";
import type { ColumnRef, Operand, WhenExpr } from "./ast";

/** What a WHEN condition is checked against: the table's real columns and the trigger's operation. */
export interface WhenContext {
  columns: readonly TableColumn[];
  operation: Operation;
}

/** The result of {@link analyzeWhen}: the tree with column names as the table spells them, and every problem. */
export interface WhenAnalysis {
  expr: WhenExpr;
  problems: (WhenClauseColumnError | WhenClauseTypeError)[];
}

const NUMERIC_TEXT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * Checks a parsed WHEN condition against the table: every column exists (matched exactly, else
 * ignoring case), `OLD.` is not used by an INSERT trigger nor `NEW.` by a DELETE trigger, and — where
 * the column types are known — no comparison mixes kinds the two databases treat differently.
 * Returns every problem found; {@link checkWhen} throws the first instead.
 */
export function analyzeWhen(expr: WhenExpr, ctx: WhenContext): WhenAnalysis {
  const columns = normalizeColumns(ctx.columns);
  const problems: (WhenClauseColumnError | WhenClauseTypeError)[] = [];

  const column = (ref: ColumnRef): { ref: ColumnRef; kind: ColumnKind } => {
    const written = `${ref.row}.${ref.name}`;
    if (ref.row === "OLD" && ctx.operation === "INSERT") {
      problems.push(
        new WhenClauseColumnError(
          `WHEN condition: ${written} at position ${ref.position}: an INSERT trigger has no OLD row; use NEW.${ref.name}`,
          {
            reason: "old_on_insert",
            position: ref.position,
            reference: written,
            column: ref.name,
            columns: names(columns),
          },
        ),
      );
    }
    if (ref.row === "NEW" && ctx.operation === "DELETE") {
      problems.push(
        new WhenClauseColumnError(
          `WHEN condition: ${written} at position ${ref.position}: a DELETE trigger has no NEW row; use OLD.${ref.name}`,
          {
            reason: "new_on_delete",
            position: ref.position,
            reference: written,
            column: ref.name,
            columns: names(columns),
          },
        ),
      );
    }
    const found = resolveColumn(columns, ref.name);
    if (!found) {
      const suggestion = suggestColumn(columns, ref.name);
      problems.push(
        new WhenClauseColumnError(
          `WHEN condition: ${written} at position ${ref.position}: the table has no column ${ref.name}${
            suggestion ? ` (did you mean ${suggestion}?)` : ""
          }; its columns are: ${listColumns(columns)}`,
          {
            reason: "unknown_column",
            position: ref.position,
            reference: written,
            column: ref.name,
            columns: names(columns),
          },
        ),
      );
      return { ref, kind: "other" };
    }
    return { ref: { ...ref, name: found.name }, kind: found.kind };
  };

  const operand = (o: Operand): { o: Operand; kind: OperandKind } => {
    switch (o.kind) {
      case "column": {
        const { ref, kind } = column(o);
        return { o: ref, kind: { column: true, kind, label: `${ref.row}.${ref.name}` } };
      }
      case "string":
        return { o, kind: { column: false, kind: "text", label: quote(o.value), text: o.value } };
      case "number":
        return { o, kind: { column: false, kind: "number", label: o.text } };
      case "boolean":
        return { o, kind: { column: false, kind: "boolean", label: o.value ? "TRUE" : "FALSE" } };
      case "null":
        return { o, kind: { column: false, kind: "other", label: "NULL" } };
    }
  };

  const pair = (a: OperandKind, b: OperandKind, position: number): void => {
    const problem = typeProblem(a, b);
    if (problem)
      problems.push(
        new WhenClauseTypeError(`WHEN condition at position ${position}: ${problem}`, { position }),
      );
  };

  const walk = (e: WhenExpr): WhenExpr => {
    switch (e.kind) {
      case "and":
      case "or":
        return { ...e, left: walk(e.left), right: walk(e.right) };
      case "not":
        return { ...e, operand: walk(e.operand) };
      case "compare":
      case "distinct": {
        const l = operand(e.left);
        const r = operand(e.right);
        pair(l.kind, r.kind, e.position);
        return { ...e, left: l.o, right: r.o };
      }
      case "is_null":
        return { ...e, operand: operand(e.operand).o };
      case "like":
        return { ...e, operand: operand(e.operand).o };
      case "in": {
        const l = operand(e.operand);
        const list = e.list.map((item) => {
          const r = operand(item);
          pair(l.kind, r.kind, item.position);
          return r.o;
        });
        return { ...e, operand: l.o, list };
      }
    }
  };

  return { expr: walk(expr), problems };
}

/**
 * {@link analyzeWhen}, throwing the first problem ({@link WhenClauseColumnError} or
 * {@link WhenClauseTypeError}); returns the tree with column names as the table spells them.
 */
export function checkWhen(expr: WhenExpr, ctx: WhenContext): WhenExpr {
  const { expr: checked, problems } = analyzeWhen(expr, ctx);
  const first = problems[0];
  if (first) throw first;
  return checked;
}

interface OperandKind {
  column: boolean;
  kind: ColumnKind;
  label: string;
  text?: string;
}

function typeProblem(x: OperandKind, y: OperandKind): string | null {
  if (x.kind === "other" || y.kind === "other" || x.kind === y.kind) return null;
  if ((x.kind === "text" && y.kind === "number") || (x.kind === "number" && y.kind === "text")) {
    const text = x.kind === "text" ? x : y;
    const num = x.kind === "text" ? y : x;
    if (!text.column && text.text !== undefined && NUMERIC_TEXT.test(text.text)) return null; // '5' = 5
    if (text.column && num.column)
      return `text column ${text.label} cannot be compared with number column ${num.label}`;
    if (text.column) {
      return `${text.label} is a text column; compare it with a string such as '${num.label}', not the number ${num.label}`;
    }
    return `${num.label} is a number${num.column ? " column" : ""}; ${text.label} is not a number`;
  }
  const bool = x.kind === "boolean" ? x : y;
  const other = x.kind === "boolean" ? y : x;
  if (bool.column)
    return `${bool.label} is a boolean column; compare it with TRUE or FALSE, not ${other.label}`;
  if (other.column)
    return `${other.label} is a ${other.kind} column; it cannot be compared with ${bool.label}`;
  return `${other.label} cannot be compared with ${bool.label}`;
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function names(columns: readonly ColumnInfo[]): string[] {
  return columns.map((c) => c.name);
}
