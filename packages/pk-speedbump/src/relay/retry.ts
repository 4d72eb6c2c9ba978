import { type BackoffPolicy, backoffMs, isRetryableError, retryAfterMsOf } from "@guildkit/core";

/** How an event whose handling failed is retried before it is dead-lettered. */
export interface RelayRetryOptions {
  /** Attempts in all, the first included (default 6). */
  attempts?: number;
  /** Wait before the second attempt (default 1,000 ms), doubling per attempt. */
  baseDelayMs?: number;
  /** Longest wait between two attempts (default 30,000 ms); an error's `retryAfterMs` may exceed it. */
  maxDelayMs?: number;
}

/** The retry policy of a relay, defaults applied. */
export interface RelayRetryPolicy {
  attempts: number;
  backoff: BackoffPolicy;
}

/** Applies the defaults: 6 attempts, 1 s doubling to 30 s, no jitter (a channel's order is kept anyway). */
export function resolveRelayRetry(options: RelayRetryOptions = {}): RelayRetryPolicy {
  return {
    attempts: options.attempts ?? 6,
    backoff: { baseMs: options.baseDelayMs ?? 1_000, capMs: options.maxDelayMs ?? 30_000, jitter: 0 },
  };
}

const noJitter = () => 0;

/**
 * What to do after attempt number `attempt` failed with `error`: give up (dead-letter) when the
 * error says a retry cannot help (`retryable: false`) or the attempts are spent; otherwise wait
 * core's `backoffMs` for the attempt, or the error's `retryAfterMs` when longer.
 */
export function nextRetry(
  attempt: number,
  error: unknown,
  policy: RelayRetryPolicy,
): { giveUp: true } | { giveUp: false; delayMs: number } {
  const permanent = isRetryableError(error) && !error.retryable;
  if (permanent || attempt >= policy.attempts) return { giveUp: true };
  const backoff = backoffMs(attempt, { policy: policy.backoff, random: noJitter });
  return { giveUp: false, delayMs: Math.max(backoff, retryAfterMsOf(error) ?? 0) };
}
