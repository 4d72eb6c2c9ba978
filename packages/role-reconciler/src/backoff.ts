/** Exponential backoff with jitter for transient failures. */
export interface BackoffPolicy {
  /** Delay of the first retry (default 300 s). */
  baseMs: number;
  /** Longest delay (default 86,400 s). */
  capMs: number;
  /** Fraction of the delay taken off at random, 0–1 (default 0.2: a retry lands in [80 %, 100 %]). */
  jitter: number;
}

/** `300 s × 2^(attempt−1)` capped at 86,400 s, minus up to 20 % jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 300_000,
  capMs: 86_400_000,
  jitter: 0.2,
});

/**
 * The delay before retry number `attempt` (1 = first failure): `base × 2^(attempt−1)`, capped,
 * then shortened by up to `jitter` of itself (so workers that failed together do not retry
 * together, and the cap is never exceeded). A server-given `retryAfterMs` is a floor.
 */
export function backoffDelayMs(
  attempt: number,
  options: { policy?: BackoffPolicy; random?: () => number; retryAfterMs?: number | null } = {},
): number {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for huge n; min() keeps it at the cap.
  const raw = Math.min(policy.capMs, policy.baseMs * 2 ** (n - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const delay = Math.round(raw * (1 - jitter * Math.min(1, Math.max(0, random()))));
  const floor = options.retryAfterMs ?? 0;
  return Math.max(delay, Math.min(floor, policy.capMs));
}
