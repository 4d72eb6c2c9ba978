/**
 * Row ids as guildkit's tables hold them (webhook definitions, outbox events): generated integer
 * keys, `bigint` on Postgres and `integer` (64-bit) on SQLite, so from 1 to 2^63 - 1. Ids travel
 * as decimal text; one parser decides what is an id before it reaches SQL (where a value past
 * 2^63 - 1 is a Postgres "bigint out of range" error, and a negative or zero one can never match).
 */

/** The smallest row id a generated key takes. */
export const MIN_ROW_ID = 1n;
/** The largest row id `bigint` (Postgres) and `integer` (SQLite) hold: 2^63 - 1. */
export const MAX_ROW_ID = (1n << 63n) - 1n;

const MAX_DIGITS = MAX_ROW_ID.toString().length; // 19
const DIGITS = /^[0-9]+$/;

/** Why a value is not a row id. */
export type RowIdErrorReason = "not_an_id" | "out_of_range";

/**
 * A value sent as a row id is not one: not decimal digits (`not_an_id`), or outside 1..2^63 - 1
 * (`out_of_range`). `parameter` names where it came from (`id`, `eventId`, `webhookId`), so a host
 * can answer 400 naming it. The value itself is not repeated (it can be megabytes).
 */
export class RowIdError extends Error {
  override readonly name = "RowIdError";
  readonly code = "invalid_id";
  readonly parameter: string;
  readonly reason: RowIdErrorReason;

  constructor(parameter: string, reason: RowIdErrorReason) {
    super(
      reason === "not_an_id"
        ? `${parameter} must be an id: decimal digits, from ${MIN_ROW_ID} to ${MAX_ROW_ID}`
        : `${parameter} is out of range: an id is from ${MIN_ROW_ID} to ${MAX_ROW_ID}`,
    );
    this.parameter = parameter;
    this.reason = reason;
  }
}

/**
 * Classifies a value sent as a row id: its canonical decimal text (leading zeros dropped), or why it
 * is not one. Accepts decimal text and safe integers (a JSON number); anything else is `not_an_id`.
 * Linear in the text; no arithmetic on more than 19 digits.
 */
export function classifyRowId(value: unknown): { id: string } | { reason: RowIdErrorReason } {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return { reason: "not_an_id" };
    if (!Number.isSafeInteger(value) || value < 1) return { reason: "out_of_range" };
    return { id: String(value) };
  }
  if (typeof value !== "string" || !DIGITS.test(value)) return { reason: "not_an_id" };
  const text = value.replace(/^0+/, "");
  if (text.length === 0 || text.length > MAX_DIGITS || BigInt(text) > MAX_ROW_ID) {
    return { reason: "out_of_range" };
  }
  return { id: text };
}

/** The canonical decimal text of a row id, or `null` when `value` is not one (see {@link classifyRowId}). */
export function toRowId(value: unknown): string | null {
  const result = classifyRowId(value);
  return "id" in result ? result.id : null;
}

/**
 * The canonical decimal text of a row id sent as `parameter`, or throws {@link RowIdError} naming
 * it: `parseRowId(c.req.param("id"), { parameter: "id" })`.
 */
export function parseRowId(value: unknown, opts: { parameter: string }): string {
  const result = classifyRowId(value);
  if ("reason" in result) throw new RowIdError(opts.parameter, result.reason);
  return result.id;
}
