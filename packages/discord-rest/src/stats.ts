import type { RateLimitScope } from "./errors";

/** Counters of one client since it was created. Holds no route parameter, token or id. */
export interface DiscordRestStats {
  /** HTTP requests sent (attempts, retries included). */
  requests: number;
  /** 429 answers, by `X-RateLimit-Scope`. */
  rateLimited: { total: number; user: number; global: number; shared: number };
  /** Attempts repeated after a 5xx, timeout or dropped connection (429 waits are not retries). */
  retries: number;
  /** Attempts that timed out. */
  timeouts: number;
  /** Attempts whose connection failed. */
  networkErrors: number;
  /** Requests that waited for a bucket the server announced exhausted (or an unknown bucket's first answer). */
  bucketWaits: number;
  /** Invalid requests (401, 403, and 429 other than `shared`) in the last 10 minutes; Discord bans an IP at 10 000. */
  invalidRequests: number;
  /** Invalid requests since the client was created. */
  invalidRequestsTotal: number;
  /** Until when a global 429 pauses every request (epoch ms), or null. */
  globalPauseUntil: number | null;
}

/** Discord's window for counting invalid requests. */
export const INVALID_REQUEST_WINDOW_MS = 10 * 60_000;

/**
 * Counts events in a sliding window with one-second resolution (at most 600 slots for 10 minutes,
 * whatever the volume).
 */
export function createWindowCounter(windowMs: number, now: () => number) {
  const slots = new Map<number, number>();
  const prune = (at: number) => {
    const oldest = Math.floor((at - windowMs) / 1000);
    for (const second of slots.keys()) if (second <= oldest) slots.delete(second);
  };
  return {
    add(count = 1) {
      const at = now();
      const second = Math.floor(at / 1000);
      slots.set(second, (slots.get(second) ?? 0) + count);
      if (slots.size > windowMs / 1000 + 2) prune(at);
    },
    count(): number {
      prune(now());
      let total = 0;
      for (const value of slots.values()) total += value;
      return total;
    },
  };
}

/** Mutable counters behind `stats()`. */
export function createStatsRecorder(now: () => number) {
  const invalid = createWindowCounter(INVALID_REQUEST_WINDOW_MS, now);
  const counters = {
    requests: 0,
    rateLimited: { total: 0, user: 0, global: 0, shared: 0 },
    retries: 0,
    timeouts: 0,
    networkErrors: 0,
    bucketWaits: 0,
    invalidRequestsTotal: 0,
  };
  return {
    counters,
    rateLimited(scope: RateLimitScope) {
      counters.rateLimited.total += 1;
      counters.rateLimited[scope] += 1;
    },
    /** Records an invalid request; returns the count in the current 10-minute window. */
    invalid(): number {
      counters.invalidRequestsTotal += 1;
      invalid.add();
      return invalid.count();
    },
    snapshot(globalPauseUntil: number | null): DiscordRestStats {
      return {
        ...counters,
        rateLimited: { ...counters.rateLimited },
        invalidRequests: invalid.count(),
        globalPauseUntil,
      };
    },
  };
}

/** The counters behind one client's `stats()`. */
export type StatsRecorder = ReturnType<typeof createStatsRecorder>;
