import type { RowImage } from "../row-data";
import type { Operand, WhenExpr } from "./ast";

/** A value as SQL compares it: NULL, text, or a number (exact `bigint` beyond 2^53). */
type SqlValue = null | string | number | bigint;

const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const NUMERIC_TEXT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * Evaluates a WHEN tree over a row image with SQL's three-valued logic: `true`, `false`, or `null`
 * (unknown — a trigger does not fire). Used by the admin preview ("would this row fire?") and by
 * the tests that check the compiled SQL against the same semantics on real databases.
 *
 * Semantics (SQLite's, which the Postgres compilation reproduces): booleans are 1/0; a number
 * compared with text that spells a number compares numerically, with other text it sorts first;
 * text compares by code point; LIKE folds ASCII case only; JSON objects compare as their JSON text.
 */
export function evaluateWhen(expr: WhenExpr, row: RowImage): boolean | null {
  switch (expr.kind) {
    case "and": {
      const l = evaluateWhen(expr.left, row);
      if (l === false) return false;
      const r = evaluateWhen(expr.right, row);
      if (r === false) return false;
      return l === null || r === null ? null : true;
    }
    case "or": {
      const l = evaluateWhen(expr.left, row);
      if (l === true) return true;
      const r = evaluateWhen(expr.right, row);
      if (r === true) return true;
      return l === null || r === null ? null : false;
    }
    case "not": {
      const v = evaluateWhen(expr.operand, row);
      return v === null ? null : !v;
    }
    case "compare": {
      const l = operandValue(expr.left, row);
      const r = operandValue(expr.right, row);
      if (l === null || r === null) return null;
      const c = compareValues(l, r);
      switch (expr.op) {
        case "=":
          return c === 0;
        case "!=":
          return c !== 0;
        case "<":
          return c < 0;
        case "<=":
          return c <= 0;
        case ">":
          return c > 0;
        case ">=":
          return c >= 0;
      }
      return null;
    }
    case "is_null": {
      const isNull = operandValue(expr.operand, row) === null;
      return expr.negated ? !isNull : isNull;
    }
    case "distinct": {
      const l = operandValue(expr.left, row);
      const r = operandValue(expr.right, row);
      const distinct = l === null || r === null ? l !== r : compareValues(l, r) !== 0;
      return expr.negated ? !distinct : distinct;
    }
    case "in": {
      const v = operandValue(expr.operand, row);
      if (v === null) return null;
      let sawNull = false;
      for (const item of expr.list) {
        const w = operandValue(item, row);
        if (w === null) {
          sawNull = true;
          continue;
        }
        if (compareValues(v, w) === 0) return !expr.negated;
      }
      return sawNull ? null : expr.negated;
    }
    case "like": {
      const v = operandValue(expr.operand, row);
      if (v === null) return null;
      const matched = likeMatches(String(v), expr.pattern);
      return expr.negated ? !matched : matched;
    }
  }
}

function operandValue(o: Operand, row: RowImage): SqlValue {
  switch (o.kind) {
    case "column": {
      const image = o.row === "NEW" ? row.new : row.old;
      return toSqlValue(image?.[o.name]);
    }
    case "string":
      return o.value;
    case "number":
      return parseNumber(o.text);
    case "boolean":
      return o.value ? 1 : 0;
    case "null":
      return null;
  }
}

function toSqlValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "string":
    case "bigint":
      return v;
    case "number":
      return Number.isNaN(v) ? null : v;
    case "boolean":
      return v ? 1 : 0;
    default:
      return JSON.stringify(v) ?? null;
  }
}

function parseNumber(text: string): number | bigint {
  if (INTEGER_TEXT.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/** Orders two non-NULL values the way SQLite does for our operand kinds. */
function compareValues(a: Exclude<SqlValue, null>, b: Exclude<SqlValue, null>): number {
  const aText = typeof a === "string";
  const bText = typeof b === "string";
  if (aText && bText) return compareCodePoints(a, b);
  if (!aText && !bText) return compareNumbers(a, b);
  // number vs text: text that spells a number compares numerically, other text sorts after numbers.
  if (aText) {
    return NUMERIC_TEXT.test(a) ? compareNumbers(parseNumber(a), b as number | bigint) : 1;
  }
  return NUMERIC_TEXT.test(b as string) ? compareNumbers(a, parseNumber(b as string)) : -1;
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "number") return -compareNumbers(b, a);
  // a: bigint, b: number
  const n = b as number;
  if (!Number.isFinite(n)) return n > 0 ? -1 : 1;
  if (Number.isInteger(n)) {
    const bn = BigInt(n);
    return a < bn ? -1 : a > bn ? 1 : 0;
  }
  const an = Number(a);
  return an < n ? -1 : an > n ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/** A compiled LIKE pattern: code points, {@link ANY_ONE} for `_`, {@link ANY_RUN} for `%`. */
type LikePattern = readonly number[];
const ANY_ONE = -1;
const ANY_RUN = -2;
const likeCache = new Map<string, LikePattern>();

/**
 * SQL LIKE with `\` as escape, `%`/`_` wildcards and ASCII-only case folding. `_` matches one code
 * point. Matched by the greedy wildcard algorithm (back to the last `%` on a mismatch), so the work
 * is at most value length × pattern length — never exponential, whatever the pattern.
 */
export function likeMatches(value: string, pattern: string): boolean {
  let p = likeCache.get(pattern);
  if (!p) {
    p = compileLike(pattern);
    if (likeCache.size > 500) likeCache.clear();
    likeCache.set(pattern, p);
  }
  const v = Array.from(foldAscii(value), (c) => c.codePointAt(0) as number);
  let i = 0;
  let j = 0;
  let run = -1; // index of the last `%` seen in the pattern
  let resume = 0; // where the value resumes when backing up to it
  while (i < v.length) {
    if (j < p.length && (p[j] === ANY_ONE || p[j] === v[i])) {
      i++;
      j++;
    } else if (j < p.length && p[j] === ANY_RUN) {
      run = j++;
      resume = i;
    } else if (run !== -1) {
      j = run + 1;
      i = ++resume;
    } else {
      return false;
    }
  }
  while (p[j] === ANY_RUN) j++;
  return j === p.length;
}

function compileLike(pattern: string): LikePattern {
  const chars = Array.from(foldAscii(pattern));
  const out: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "\\" && i + 1 < chars.length) out.push((chars[++i] as string).codePointAt(0) as number);
    else if (c === "%") out.push(ANY_RUN);
    else if (c === "_") out.push(ANY_ONE);
    else out.push(c.codePointAt(0) as number);
  }
  return out;
}

function foldAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
