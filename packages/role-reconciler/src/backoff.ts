import { type BackoffPolicy, backoffMs } from "@guildkit/core";

export type { BackoffPolicy } from "@guildkit/core";

/** `300 s × 2^(attempt−1)` capped at 86,400 s, minus up to 20 % jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 300_000,
  capMs: 86_400_000,
  jitter: 0.2,
});

/**
 * The delay before retry number `attempt` (1 = first failure): `@guildkit/core`'s `backoffMs` with
 * the role-sync default policy ({@link DEFAULT_BACKOFF}) — `base × 2^(attempt−1)`, capped, then
 * shortened by up to `jitter` of itself. A server-given `retryAfterMs` is a floor.
 */
export function backoffDelayMs(
  attempt: number,
  options: { policy?: BackoffPolicy; random?: () => number; retryAfterMs?: number | null } = {},
): number {
  return backoffMs(attempt, {
    policy: options.policy ?? DEFAULT_BACKOFF,
    random: options.random,
    retryAfterMs: options.retryAfterMs,
  });
}
