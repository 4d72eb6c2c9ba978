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
import { mapPredicates, type WhenPredicate } from "./walk";

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
 * the column types are known — no comparison mixes kinds the two databases treat differently or that
 * Postgres would refuse at CREATE TRIGGER: date/time columns compare with ISO-8601 date or timestamp
 * strings (or other date/time columns), UUID columns with lower-case UUID strings (or other UUID
 * columns), and JSON columns only with `IS [NOT] NULL` (or `IS [NOT] DISTINCT FROM NULL`).
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

  const report = (problem: TypeProblem | null, position: number): void => {
    if (problem)
      problems.push(
        new WhenClauseTypeError(`WHEN condition at position ${position}: ${problem.message}`, {
          position,
          expected: problem.expected,
        }),
      );
  };
  const pair = (a: OperandKind, b: OperandKind, position: number, nullSafe = false): void =>
    report(typeProblem(a, b, nullSafe), position);

  /** Resolves a predicate's columns and checks the kinds it compares (see `typeProblem`). */
  const check = (e: WhenPredicate): WhenPredicate => {
    switch (e.kind) {
      case "compare":
      case "distinct": {
        const l = operand(e.left);
        const r = operand(e.right);
        pair(l.kind, r.kind, e.position, e.kind === "distinct");
        return { ...e, left: l.o, right: r.o };
      }
      case "is_null":
        return { ...e, operand: operand(e.operand).o };
      case "like": {
        const o = operand(e.operand);
        if (o.kind.kind === "json") report(jsonProblem(o.kind), e.position);
        return { ...e, operand: o.o };
      }
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

  return { expr: mapPredicates(expr, check), problems };
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

interface TypeProblem {
  message: string;
  expected: string;
}

const ISO_TEMPORAL =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const EXPECTED_TEMPORAL =
  "a date or timestamp in ISO-8601 form, such as '2024-01-31', '2024-01-31 12:00:00' or '2024-01-31T12:00:00+02:00'";
const EXPECTED_UUID = "a UUID in lower case, such as 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'";
const EXPECTED_JSON = "IS NULL or IS NOT NULL (a JSON column is only tested for NULL)";

const KIND_NAMES: Record<ColumnKind, string> = {
  text: "text",
  number: "number",
  boolean: "boolean",
  temporal: "date/time",
  uuid: "UUID",
  json: "JSON",
  other: "untyped",
};

/**
 * Whether `text` is a date or timestamp both databases read the same way: `YYYY-MM-DD`, optionally
 * followed by `T` or a space, `HH:MM[:SS[.ffffff]]` and a zone (`Z`, `+HH`, `+HH:MM`), with every
 * field in range. Postgres's special words (`now`, `today`, `infinity`, …) are refused: in a
 * trigger they would be frozen at CREATE TRIGGER time, and SQLite compares them as plain text.
 */
function isIsoTemporal(text: string): boolean {
  const m = ISO_TEMPORAL.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (year < 1 || day < 1 || day > days) return false;
  const within = (v: string | undefined, max: number) => v === undefined || Number(v) <= max;
  return within(m[4], 23) && within(m[5], 59) && within(m[6], 59) && within(m[7], 15) && within(m[8], 59);
}

function jsonProblem(json: OperandKind): TypeProblem {
  return {
    message: `${json.label} is a JSON column; test it with IS NULL or IS NOT NULL only (JSON values compare differently on SQLite and Postgres)`,
    expected: EXPECTED_JSON,
  };
}

/**
 * What is wrong with comparing `x` and `y`, or `null`. `nullSafe` (IS [NOT] DISTINCT FROM) lets a
 * JSON column be compared with NULL.
 */
function typeProblem(x: OperandKind, y: OperandKind, nullSafe: boolean): TypeProblem | null {
  if (x.kind === "json" || y.kind === "json") {
    const json = x.kind === "json" ? x : y;
    const other = x.kind === "json" ? y : x;
    if (nullSafe && !other.column && other.label === "NULL") return null;
    return jsonProblem(json);
  }
  if (x.kind === "other" || y.kind === "other" || x.kind === y.kind) return null;
  if (x.kind === "temporal" || x.kind === "uuid" || y.kind === "temporal" || y.kind === "uuid") {
    // Only columns have these kinds: `special` is a column.
    const special = x.kind === "temporal" || x.kind === "uuid" ? x : y;
    const other = special === x ? y : x;
    const temporal = special.kind === "temporal";
    const expected = temporal ? EXPECTED_TEMPORAL : EXPECTED_UUID;
    if (!other.column && other.text !== undefined) {
      const fits = temporal ? isIsoTemporal(other.text) : UUID_TEXT.test(other.text);
      if (fits) return null;
      return {
        message: `${special.label} is a ${KIND_NAMES[special.kind]} column; ${other.label} is not ${expected}`,
        expected,
      };
    }
    return {
      message: `${special.label} is a ${KIND_NAMES[special.kind]} column; compare it with ${expected}, not ${
        other.column ? `${KIND_NAMES[other.kind]} column ${other.label}` : other.label
      }`,
      expected,
    };
  }
  if ((x.kind === "text" && y.kind === "number") || (x.kind === "number" && y.kind === "text")) {
    const text = x.kind === "text" ? x : y;
    const num = x.kind === "text" ? y : x;
    if (!text.column && text.text !== undefined && NUMERIC_TEXT.test(text.text)) return null; // '5' = 5
    if (text.column && num.column)
      return {
        message: `text column ${text.label} cannot be compared with number column ${num.label}`,
        expected: "a text column or a string",
      };
    if (text.column) {
      return {
        message: `${text.label} is a text column; compare it with a string such as '${num.label}', not the number ${num.label}`,
        expected: "a string",
      };
    }
    return {
      message: `${num.label} is a number${num.column ? " column" : ""}; ${text.label} is not a number`,
      expected: "a number",
    };
  }
  const bool = x.kind === "boolean" ? x : y;
  const other = x.kind === "boolean" ? y : x;
  if (bool.column)
    return {
      message: `${bool.label} is a boolean column; compare it with TRUE or FALSE, not ${other.label}`,
      expected: "TRUE or FALSE",
    };
  if (other.column)
    return {
      message: `${other.label} is a ${other.kind} column; it cannot be compared with ${bool.label}`,
      expected: `a ${other.kind} value`,
    };
  return { message: `${other.label} cannot be compared with ${bool.label}`, expected: "values of one kind" };
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function names(columns: readonly ColumnInfo[]): string[] {
  return columns.map((c) => c.name);
}
