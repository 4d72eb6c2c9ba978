import type { Dialect } from "./dialect";

/**
 * Column codecs: how values cross the driver boundary on each dialect. Every store query goes
 * through these, so the per-dialect representation lives here only.
 *
 * - time: Postgres `timestamptz` (a `Date`); SQLite `text` holding ISO-8601 UTC with milliseconds
 *   (`2025-01-31T12:00:00.000Z`), which sorts and compares as text. Times outside the years
 *   0000–9999 (ISO writes them `+275760-…`, which sorts below `2026-…`) are clamped to those
 *   bounds, so a far-off bound such as `new Date(8.64e15)` still compares right.
 * - JSON: Postgres `jsonb`; SQLite `text`. Always bound as a JSON string.
 * - ids: Postgres `bigint` arrives as a string, SQLite `integer` as a number; ports use strings.
 */

const SQLITE_LATEST = "9999-12-31T23:59:59.999Z";
const SQLITE_EARLIEST = "0000-01-01T00:00:00.000Z";

/** A time value as the dialect stores it (SQLite: ISO text, clamped to the years 0000–9999). */
export function encodeTime(dialect: Dialect, date: Date): Date | string {
  if (dialect === "postgres") return date;
  const year = date.getUTCFullYear();
  if (year > 9999) return SQLITE_LATEST;
  if (year < 0) return SQLITE_EARLIEST;
  return date.toISOString();
}

const SQLITE_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * A stored time as a `Date`, `null` for `NULL` or an unreadable value. Also reads what host
 * databases hold: SQLite `CURRENT_TIMESTAMP` text (UTC) and unix seconds or milliseconds.
 */
export function decodeTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === "number" || typeof value === "bigint") {
    const n = Number(value);
    date = new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
  } else if (typeof value === "string") {
    if (/^-?\d+$/.test(value)) return decodeTime(Number(value));
    date = new Date(SQLITE_DATETIME.test(value) ? `${value.replace(" ", "T")}Z` : value);
  } else return null;
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A JSON value as bound to a JSON column (always a JSON string; Postgres casts it to `jsonb`). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A stored JSON column as a value (`jsonb` arrives parsed from pg; SQLite text is parsed here). */
export function decodeJson(dialect: Dialect, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (dialect === "sqlite" || typeof value === "string") {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value);
    } catch {
      return dialect === "postgres" ? value : null;
    }
  }
  return value;
}

/** A stored JSON object column as a plain object (anything else reads as `{}`). */
export function decodeJsonObject(dialect: Dialect, value: unknown): Record<string, unknown> {
  const decoded = decodeJson(dialect, value);
  return decoded !== null && typeof decoded === "object" && !Array.isArray(decoded)
    ? (decoded as Record<string, unknown>)
    : {};
}

/** A stored id (number, bigint or string) as the string every port uses. */
export function decodeId(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new TypeError(`unexpected id value of type ${typeof value}`);
}

/** A nullable stored id as a string or `null`. */
export function decodeNullableId(value: unknown): string | null {
  return value === null || value === undefined ? null : decodeId(value);
}

/** A stored count/integer (pg returns `bigint`/`count(*)` as a string) as a number. */
export function decodeInteger(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw new TypeError("unexpected non-numeric integer column");
  return n;
}

/** A stored blob (`Buffer` from both drivers) as a `Uint8Array`, `null` for `NULL`. */
export function decodeBytes(value: unknown): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return new TextEncoder().encode(value);
  return null;
}
