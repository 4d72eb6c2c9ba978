import { RedeliverRangeError } from "./errors";

/**
 * Which dead events to put back in the queue: one event, all of one webhook's, all, or those whose
 * change was written in `[since, until)` (optionally of one webhook).
 */
export type RedeliverTarget =
  | { eventId: string }
  | { webhookId: string }
  | { all: true }
  | { since: Date; until?: Date; webhookId?: string };

/** Checks a range target's times; throws {@link RedeliverRangeError}. */
export function assertRedeliverRange(range: { since: Date; until?: Date }): void {
  if (!(range.since instanceof Date) || Number.isNaN(range.since.getTime()))
    throw new RedeliverRangeError("invalid_since");
  if (range.until === undefined) return;
  if (!(range.until instanceof Date) || Number.isNaN(range.until.getTime()))
    throw new RedeliverRangeError("invalid_until");
  if (range.until.getTime() <= range.since.getTime()) throw new RedeliverRangeError("empty_range");
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO 8601 date or time (`2026-12-01`, `2026-12-01T14:00Z`, with seconds or an offset), or a Date; else null. */
export function parseRedeliverTime(value: unknown): Date | null {
  const date =
    value instanceof Date
      ? value
      : typeof value === "string" && ISO_TIME.test(value)
        ? new Date(value)
        : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/**
 * The range of a redelivery request (an API body, a command line): `since` and `until` as ISO 8601
 * times or Dates, `until` only with `since`, later than it. `null` when neither is given (not a
 * range). Throws {@link RedeliverRangeError} naming the `parameter` at fault.
 */
export function parseRedeliverRange(input: { since?: unknown; until?: unknown }): {
  since: Date;
  until?: Date;
} | null {
  const given = (v: unknown) => v !== undefined && v !== null && v !== "";
  if (!given(input.since)) {
    if (given(input.until)) throw new RedeliverRangeError("until_without_since");
    return null;
  }
  const since = parseRedeliverTime(input.since);
  if (!since) throw new RedeliverRangeError("invalid_since");
  if (!given(input.until)) return { since };
  const until = parseRedeliverTime(input.until);
  if (!until) throw new RedeliverRangeError("invalid_until");
  assertRedeliverRange({ since, until });
  return { since, until };
}
