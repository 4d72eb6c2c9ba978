/** Exponential backoff with jitter: the one formula every guildkit retry loop uses. */
export interface BackoffPolicy {
  /** Delay of the first retry. */
  baseMs: number;
  /** Longest delay. */
  capMs: number;
  /** Fraction of the delay taken off at random, 0–1 (0.2: a retry lands in [80 %, 100 %]). */
  jitter: number;
}

/** Options of {@link backoffMs}. */
export interface BackoffOptions {
  policy: BackoffPolicy;
  /** A number in [0, 1) (default `Math.random`); tests pass a fixed one. */
  random?: () => number;
  /** A server-given wait (`retryAfterMs`): a floor, itself capped at `policy.capMs`. */
  retryAfterMs?: number | null;
}

/**
 * The delay before retry number `attempt` (1 = after the first failure): `base × 2^(attempt−1)`,
 * capped, then shortened by up to `jitter` of itself (so workers that failed together do not retry
 * together, and the cap is never exceeded). A server-given `retryAfterMs` is a floor.
 */
export function backoffMs(attempt: number, options: BackoffOptions): number {
  const { policy } = options;
  const random = options.random ?? Math.random;
  const n = Math.max(1, Math.floor(Number.isFinite(attempt) ? attempt : 1));
  // 2^(n-1) overflows to Infinity for huge n; min() keeps it at the cap.
  const raw = Math.min(policy.capMs, policy.baseMs * 2 ** (n - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const delay = Math.round(raw * (1 - jitter * Math.min(1, Math.max(0, random()))));
  const floor = Math.max(0, options.retryAfterMs ?? 0);
  return Math.max(delay, Math.min(floor, policy.capMs));
}
