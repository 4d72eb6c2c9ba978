/** Settings of the retry backoff for 5xx answers, timeouts and dropped connections. */
export interface BackoffOptions {
  /** Delay cap of the first retry in ms (default 250). */
  baseMs?: number;
  /** Upper bound of any delay in ms (default 10 000). */
  maxMs?: number;
  /** Uniform random source in [0, 1) (default Math.random). */
  random?: () => number;
}

/**
 * Full-jitter exponential backoff: a uniform delay in [0, min(maxMs, baseMs × 2^retry)], where
 * `retry` counts from 0 for the first retry. Spreads the retries of many clients apart.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(retry: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 250;
  const max = options.maxMs ?? 10_000;
  const random = options.random ?? Math.random;
  const cap = Math.min(max, base * 2 ** Math.max(0, retry));
  return Math.floor(random() * cap);
}
