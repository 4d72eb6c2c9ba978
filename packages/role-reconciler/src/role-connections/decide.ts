import { type BackoffPolicy, backoffMs, isRetryableError } from "@guildkit/core";
import type { RoleConnectionItem, RoleConnectionOutcome } from "./ports";
import { metadataFingerprint } from "./values";

/** The scope a member's token needs to push its role connection. */
export const ROLE_CONNECTIONS_WRITE = "role_connections.write";

/** `60 s × 2^(attempt−1)` capped at 6 h, minus up to 20 % jitter: a push retry. */
export const ROLE_CONNECTION_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 60_000,
  capMs: 21_600_000,
  jitter: 0.2,
});

/** The tuning of a push decision. */
export interface DecideOptions {
  /** Least time between two pushes for one user (Discord limits each user's token; default 1,000 ms). */
  minPushIntervalMs: number;
  /** When a refused body (permanent error) is tried again (default 6 h). */
  permanentRecheckMs: number;
  backoff: BackoffPolicy;
  random: () => number;
}

/** What to do with a claimed member before calling Discord. */
export type PushStep = { kind: "done"; outcome: RoleConnectionOutcome } | { kind: "push" };

/**
 * The first step for a claimed member: nothing to do (Discord already has the desired values), wait
 * (pushed too recently for this user), or push.
 */
export function firstStep(item: RoleConnectionItem, now: Date, options: DecideOptions): PushStep {
  if (item.state === "synced" && metadataFingerprint(item.desired) === metadataFingerprint(item.pushed)) {
    return { kind: "done", outcome: { state: "synced", nextDueAt: null, attempts: 0, lastError: null } };
  }
  if (item.desired === null && item.pushed === null && item.state === null) {
    // Never pushed and nothing wanted: there is nothing on Discord to clear.
    return { kind: "done", outcome: { state: "synced", nextDueAt: null, attempts: 0, lastError: null } };
  }
  if (item.pushedAt !== null) {
    const ready = item.pushedAt.getTime() + options.minPushIntervalMs;
    if (ready > now.getTime()) {
      return {
        kind: "done",
        outcome: {
          state: item.state ?? "retrying",
          nextDueAt: new Date(ready),
          attempts: item.attempts,
          lastError: item.lastError,
        },
      };
    }
  }
  return { kind: "push" };
}

/** The outcome of a push Discord accepted. */
export function pushedOutcome(item: RoleConnectionItem, now: Date): RoleConnectionOutcome {
  return {
    state: "synced",
    pushed: item.desired,
    pushedAt: now,
    nextDueAt: null,
    attempts: 0,
    lastError: null,
  };
}

/** No grant is kept for the member: skip until one arrives. */
export function noGrantOutcome(reason: string): RoleConnectionOutcome {
  return { state: "no_grant", nextDueAt: null, attempts: 0, lastError: reason };
}

/** The token was refused and so was its refresh (or it lacks the scope): the member must link again. */
export function needsConsentOutcome(reason: string): RoleConnectionOutcome {
  return { state: "needs_consent", nextDueAt: null, attempts: 0, lastError: reason };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 500);
  return String(error).slice(0, 500);
}

/** True for a failure that says the token was refused (401). */
export function isUnauthorized(error: unknown): boolean {
  return isRetryableError(error) && error.status === 401;
}

/**
 * The outcome of a failed push (other than a 401, handled by refreshing): a retryable failure backs
 * off (a server-given wait is a floor), anything else is a permanent error re-tried after
 * `permanentRecheckMs`.
 */
export function failedOutcome(
  item: RoleConnectionItem,
  error: unknown,
  now: Date,
  options: DecideOptions,
): RoleConnectionOutcome {
  const attempts = item.attempts + 1;
  const retryable = !isRetryableError(error) || error.retryable;
  if (retryable) {
    const retryAfterMs = isRetryableError(error) ? error.retryAfterMs : null;
    const delay = backoffMs(attempts, { policy: options.backoff, random: options.random, retryAfterMs });
    return {
      state: "retrying",
      nextDueAt: new Date(now.getTime() + delay),
      attempts,
      lastError: describe(error),
    };
  }
  const hint =
    isRetryableError(error) && error.status === 400
      ? " (is the metadata schema registered? run `guildkit linked-roles register`)"
      : "";
  return {
    state: "permanent_error",
    nextDueAt: new Date(now.getTime() + options.permanentRecheckMs),
    attempts,
    lastError: `${describe(error)}${hint}`,
  };
}
