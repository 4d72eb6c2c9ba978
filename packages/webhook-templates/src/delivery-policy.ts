import { isAbortError, isRetryableError, isTimeoutError, retryAfterMsOf } from "@guildkit/core";

/**
 * How delivery reacts to each outcome of an attempt, and which events may be claimed so that each
 * webhook's messages arrive in order. Pure: the worker and the stores apply it.
 */

/**
 * The retry schedule (Svix's): the first attempt immediately, then 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h and 10 h after each failure. `RETRY_SCHEDULE_MS[n]` is the wait before attempt `n + 1`;
 * when attempt 8 fails the event is dead.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** Attempts before an event is dead (the schedule's length). */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;

/**
 * A webhook's own retry policy (definition fields `retryDelaysMs` and `giveUpAfterMs`).
 * - `retryDelaysMs`: the wait after each failed attempt (entry `n` after attempt `n + 1`); a failure
 *   with no wait left is dead. `null`: the default schedule ({@link RETRY_SCHEDULE_MS} after its
 *   leading 0: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — 8 attempts).
 * - `giveUpAfterMs`: a failure whose retry would come later than this after the event was created
 *   is dead instead. `null`: no age limit (the schedule alone decides).
 *
 * Both apply to failures that count as attempts (5xx, no answer, a timeout); a 429, a held event
 * and a shutdown never make an event dead.
 */
export interface RetryPolicy {
  retryDelaysMs: readonly number[] | null;
  giveUpAfterMs: number | null;
}

/** The default schedule as waits after each failure (5 s … 10 h: 7 retries, 8 attempts). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = RETRY_SCHEDULE_MS.slice(1);

/** The most retries a webhook's own schedule may list. */
export const MAX_RETRY_DELAYS = 20;
/** The shortest wait of a webhook's own schedule (1 s). */
export const MIN_RETRY_DELAY_MS = 1_000;
/** The longest wait of a webhook's own schedule (7 days). */
export const MAX_RETRY_DELAY_MS = 7 * 86_400_000;
/** The shortest give-up age a webhook may set (1 min). */
export const MIN_GIVE_UP_AFTER_MS = 60_000;
/** The longest give-up age a webhook may set (30 days). */
export const MAX_GIVE_UP_AFTER_MS = 30 * 86_400_000;

/** Wait after a 429 that did not say how long (Discord always does; this is a guard). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/**
 * What one attempt to post a message came to.
 * - `delivered`: Discord stored it (2xx); `messageId` from `wait=true`.
 * - `rate_limited`: 429; wait `retryAfterMs`. Does not count as an attempt.
 * - `gone`: 404 Unknown Webhook (webhook deleted), 401 (token wrong or regenerated), or a 403 whose
 *   code says the webhook itself is refused ({@link WEBHOOK_REFUSED_CODES}): the webhook is unusable.
 * - `rejected`: another 4xx (400 bad payload, 413, a 403 such as Missing Permissions 50013, …): this
 *   message will never be accepted.
 * - `server_error`: 5xx after the client's own retries.
 * - `network_error`: no answer (refused, reset, DNS); Discord did not take it, as far as we know.
 * - `timeout`: no answer in time — Discord may have posted it: a possible duplicate if sent again.
 * - `aborted`: our own shutdown interrupted it in flight; unknown outcome, not counted as an attempt.
 */
export type AttemptOutcome =
  | { kind: "delivered"; messageId: string | null }
  | { kind: "rate_limited"; retryAfterMs: number | null; message: string }
  | { kind: "gone"; status: number; code: number | null; message: string }
  | { kind: "rejected"; status: number; code: number | null; message: string }
  | { kind: "server_error"; status: number; code: number | null; message: string }
  | { kind: "network_error"; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "aborted"; message: string };

/**
 * What to do after an attempt.
 * - `delivered`: record the message id.
 * - `retry`: leave the event pending until `delayMs` from now; `countsAsAttempt` false for 429s and
 *   aborts; `possibleDuplicate` when Discord may already have the message.
 * - `dead`: dead-letter this event with `reason`.
 * - `disable_webhook`: disable the webhook with `reason` and dead-letter all its pending events.
 */
export type DeliveryDecision =
  | { action: "delivered"; messageId: string | null }
  | { action: "retry"; delayMs: number; countsAsAttempt: boolean; possibleDuplicate: boolean; error: string }
  | { action: "dead"; reason: string; possibleDuplicate: boolean }
  | { action: "disable_webhook"; reason: string };

/**
 * Decides what follows an attempt. `attempts` is how many counted attempts the event had before
 * this one; `retry` is the webhook's own policy (default: the default schedule, no age limit) with
 * `ageMs`, how long ago the event was created.
 */
export function decideDelivery(
  outcome: AttemptOutcome,
  attempts: number,
  retry: Partial<RetryPolicy> & { ageMs?: number } = {},
): DeliveryDecision {
  switch (outcome.kind) {
    case "delivered":
      return { action: "delivered", messageId: outcome.messageId };
    case "rate_limited":
      return {
        action: "retry",
        delayMs: Math.max(0, outcome.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS),
        countsAsAttempt: false,
        possibleDuplicate: false,
        error: outcome.message,
      };
    case "aborted":
      return {
        action: "retry",
        delayMs: 0,
        countsAsAttempt: false,
        possibleDuplicate: true,
        error: outcome.message,
      };
    case "gone":
      return { action: "disable_webhook", reason: goneReason(outcome) };
    case "rejected":
      return {
        action: "dead",
        reason: `Discord refused the message (${outcome.status}${outcome.code ? ` / ${outcome.code}` : ""}): ${outcome.message}`,
        possibleDuplicate: false,
      };
    case "server_error":
    case "network_error":
    case "timeout": {
      const error =
        outcome.kind === "server_error"
          ? `Discord answered ${outcome.status}: ${outcome.message}`
          : outcome.kind === "timeout"
            ? `no answer in time (Discord may have posted it): ${outcome.message}`
            : `no answer: ${outcome.message}`;
      const made = attempts + 1;
      const possibleDuplicate = outcome.kind === "timeout";
      const delays = retry.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
      const delayMs = delays[made - 1];
      if (delayMs === undefined) {
        return {
          action: "dead",
          reason: `gave up after ${made} attempts; last: ${error}`,
          possibleDuplicate,
        };
      }
      const giveUp = retry.giveUpAfterMs ?? null;
      if (giveUp !== null && (retry.ageMs ?? 0) + delayMs > giveUp) {
        return {
          action: "dead",
          reason: `gave up after ${made} attempts: the next one would come more than ${formatDuration(giveUp)} after the event; last: ${error}`,
          possibleDuplicate,
        };
      }
      return { action: "retry", delayMs, countsAsAttempt: true, possibleDuplicate, error };
    }
  }
}

/** `90 s`, `5 min`, `2 h`, `3 d` — the largest unit that divides `ms`, else seconds. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["min", 60_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${Math.round(ms / 1000)} s`;
}

function goneReason(o: { status: number; code: number | null; message: string }): string {
  const detail = `Discord answered ${o.status}${o.code ? ` / ${o.code}` : ""}: ${o.message}`;
  if (o.status === 404) {
    return `${detail}. The webhook was deleted in Discord; create a new one and update the URL, then re-enable it.`;
  }
  if (o.status === 401) {
    return `${detail}. The token in the webhook URL is wrong or was regenerated; update the URL, then re-enable it.`;
  }
  return `${detail}. Discord refuses this webhook; check it in the channel's Integrations settings, then re-enable it.`;
}

/**
 * Discord error codes that, on a 403, mean the webhook itself is refused (so every later message
 * would be too): 10015 Unknown Webhook, 50027 Invalid Webhook Token. Any other 403 (Missing
 * Permissions 50013, Missing Access 50001 on a thread, …) concerns the message and dead-letters that
 * event only.
 *
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
 */
export const WEBHOOK_REFUSED_CODES: ReadonlySet<number> = new Set([10015, 50027]);

/**
 * Classifies what a send threw, by `@guildkit/core`'s error contract — `isRetryableError` for the
 * HTTP `status`, Discord's `code` and `retryAfterMs` (`@guildkit/discord-rest` errors follow it),
 * `isTimeoutError` / `isAbortError` for the rest — without importing the client. Anything else is
 * a `network_error` (no answer, as far as we know).
 */
export function classifySendError(err: unknown): AttemptOutcome {
  const message = errorText(err);
  const status = isRetryableError(err) ? err.status : null;
  const code = isRetryableError(err) && typeof err.code === "number" ? err.code : null;
  if (status === 429) return { kind: "rate_limited", retryAfterMs: retryAfterMsOf(err), message };
  // 404 Unknown Webhook (10015, or a bare 404) means the webhook is gone; another 404 (an unknown
  // thread, 10003) concerns this message only. A 401 always concerns the webhook (its token); a 403
  // only when its code says so.
  if (
    status === 401 ||
    (status === 403 && code !== null && WEBHOOK_REFUSED_CODES.has(code)) ||
    (status === 404 && (code === null || code === 0 || code === 10015))
  ) {
    return { kind: "gone", status, code, message };
  }
  if (status !== null && status >= 400 && status < 500) return { kind: "rejected", status, code, message };
  if (status !== null && status >= 500) return { kind: "server_error", status, code, message };
  if (isTimeoutError(err)) return { kind: "timeout", message };
  if (isAbortError(err)) return { kind: "aborted", message };
  return { kind: "network_error", message };
}

/** The error's text, with Discord's own message (`discordMessage` of discord-rest's errors) first. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return "unknown error";
  const discordMessage = (err as { discordMessage?: unknown }).discordMessage;
  if (typeof discordMessage === "string" && discordMessage !== "") {
    return err.message.includes(discordMessage)
      ? err.message
      : `${discordMessage}${err.message ? ` (${err.message})` : ""}`;
  }
  return err.message !== "" ? err.message : "unknown error";
}

/** An outbox event as the ordering rule sees it. */
export interface ClaimCandidate {
  /** The event id (a positive integer as text); ids order events within a webhook. */
  id: string;
  webhookId: string;
  state: "pending" | "delivered" | "dead";
  /** `null` means due now. */
  nextAttemptAt: Date | null;
  /** `null` means not leased; a lease at or before `now` has lapsed. */
  leaseExpiresAt: Date | null;
}

/**
 * The per-webhook ordering rule, as a reference the stores' claim queries implement: for each
 * webhook, only its oldest pending event (the head) may start; if the head is leased by a live
 * worker or waiting for its retry time, the whole webhook waits. Otherwise the head and up to
 * `perWebhook - 1` following pending events (unleased, due) are claimable, to be sent one after
 * another. Webhooks are served oldest head first, `limit` events in all.
 */
export function selectClaimable(
  events: readonly ClaimCandidate[],
  opts: { now: Date; limit: number; perWebhook: number },
): ClaimCandidate[] {
  const byWebhook = new Map<string, ClaimCandidate[]>();
  for (const e of events) {
    if (e.state !== "pending") continue;
    const list = byWebhook.get(e.webhookId) ?? [];
    list.push(e);
    byWebhook.set(e.webhookId, list);
  }
  const now = opts.now.getTime();
  const free = (e: ClaimCandidate) =>
    (e.leaseExpiresAt === null || e.leaseExpiresAt.getTime() <= now) &&
    (e.nextAttemptAt === null || e.nextAttemptAt.getTime() <= now);
  const runs: ClaimCandidate[][] = [];
  for (const list of byWebhook.values()) {
    list.sort((a, b) => compareIds(a.id, b.id));
    const run: ClaimCandidate[] = [];
    for (const e of list) {
      if (run.length >= opts.perWebhook || !free(e)) break;
      run.push(e);
    }
    if (run.length > 0) runs.push(run);
  }
  runs.sort((a, b) => compareIds((a[0] as ClaimCandidate).id, (b[0] as ClaimCandidate).id));
  const out: ClaimCandidate[] = [];
  for (const run of runs) {
    for (const e of run) {
      if (out.length >= opts.limit) return out;
      out.push(e);
    }
  }
  return out;
}

/** Orders decimal id strings numerically. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
