import { stableHash } from "./tokens";
import type { SimBucketLimit, SimRouteKey } from "./types";

/**
 * Per-route limits the simulator applies when `routeLimits` does not override them. Modelled on
 * what Discord announces for these routes (Discord says: read the headers, do not hard-code).
 */
export const DEFAULT_ROUTE_LIMITS: Readonly<Record<SimRouteKey, SimBucketLimit>> = {
  get_member: { limit: 5, windowMs: 1_000 },
  list_members: { limit: 10, windowMs: 10_000 },
  member_role: { limit: 10, windowMs: 10_000 },
  guild_roles: { limit: 5, windowMs: 5_000 },
  channel_webhooks: { limit: 5, windowMs: 5_000 },
  execute_webhook: { limit: 5, windowMs: 2_000 },
  get_webhook: { limit: 5, windowMs: 5_000 },
  webhook_message: { limit: 5, windowMs: 2_000 },
  users_me: { limit: 5, windowMs: 5_000 },
  oauth_token: { limit: 50, windowMs: 10_000 },
  cdn: { limit: 250, windowMs: 1_000 },
  pk_message: { limit: 10, windowMs: 1_000 },
  get_guild: { limit: 5, windowMs: 5_000 },
  add_member: { limit: 10, windowMs: 10_000 },
  remove_member: { limit: 5, windowMs: 5_000 },
  get_application: { limit: 5, windowMs: 5_000 },
  role_connection_metadata: { limit: 5, windowMs: 5_000 },
  role_connection: { limit: 5, windowMs: 5_000 },
};

/** Discord's global limit per bot token per second. */
export const DEFAULT_GLOBAL_PER_SECOND = 50;

/** PluralKit's `message` scope: requests per second per client. */
export const DEFAULT_PLURALKIT_PER_SECOND = 10;

/** Routes that share one Discord bucket report the same hash; the major parameter is not part of it. */
const BUCKET_GROUP: Readonly<Record<SimRouteKey, string>> = {
  get_member: "get_member",
  list_members: "list_members",
  member_role: "member_role",
  guild_roles: "guild_roles",
  channel_webhooks: "channel_webhooks",
  execute_webhook: "execute_webhook",
  get_webhook: "get_webhook",
  webhook_message: "webhook_message",
  users_me: "users_me",
  oauth_token: "oauth_token",
  cdn: "cdn",
  pk_message: "pk_message",
  get_guild: "get_guild",
  add_member: "add_member",
  remove_member: "remove_member",
  get_application: "get_application",
  role_connection_metadata: "role_connection_metadata",
  role_connection: "role_connection",
};

/** The stable opaque `X-RateLimit-Bucket` value of a route group. */
export function bucketHash(route: SimRouteKey): string {
  return stableHash(`guildkit-discord-sim:${BUCKET_GROUP[route]}`);
}

/**
 * The `X-RateLimit-Bucket` of answers that match no route (404, 405, a discontinued API version):
 * only the caller's global limit applies to them, and their headers describe that window.
 */
export const GLOBAL_BUCKET_HASH = stableHash("guildkit-discord-sim:global");

/** What a bucket looked like after a request was counted (or refused). */
export interface BucketState {
  ok: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms when the bucket refills. */
  resetAt: number;
  /** ms until it refills. */
  resetAfterMs: number;
}

interface Window {
  remaining: number;
  resetAt: number;
}

/**
 * Fixed-window buckets as Discord runs them: the first request opens a window of `windowMs`, each
 * request takes one token, and the bucket refills entirely when the window ends.
 */
export function createWindowLimiter(now: () => number): {
  /** Counts a request: takes a token, or refuses (`ok: false`) when the window has none left. */
  take(key: string, limit: SimBucketLimit): BucketState;
  /** The bucket as a request would find it, without taking a token (a closed window shows as full). */
  peek(key: string, limit: SimBucketLimit): BucketState;
  reset(): void;
} {
  const windows = new Map<string, Window>();
  let sweepAt = 0;
  const current = (key: string, { limit, windowMs }: SimBucketLimit, t: number): Window => {
    const w = windows.get(key);
    return w && t < w.resetAt ? w : { remaining: limit, resetAt: t + windowMs };
  };
  const state = (w: Window, limit: number, t: number): BucketState => ({
    ok: w.remaining > 0,
    limit,
    remaining: w.remaining,
    resetAt: w.resetAt,
    resetAfterMs: w.resetAt - t,
  });
  return {
    take(key, limit) {
      const t = now();
      if (windows.size > 10_000 && t >= sweepAt) {
        for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
        sweepAt = t + 1_000;
      }
      const w = current(key, limit, t);
      windows.set(key, w);
      const ok = w.remaining > 0;
      if (ok) w.remaining -= 1;
      return { ...state(w, limit.limit, t), ok };
    },
    peek(key, limit) {
      const t = now();
      return state(current(key, limit, t), limit.limit, t);
    },
    reset() {
      windows.clear();
    },
  };
}

/** Result of a GCRA check (PluralKit). */
export interface GcraState {
  ok: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms when the client is back to a full burst. */
  resetAt: number;
  /** ms to wait before the next request is allowed (0 when allowed). */
  retryAfterMs: number;
}

/**
 * GCRA with burst = rate over `periodMs`, the way PluralKit's Redis script limits clients:
 * `limit` requests may come at once, then one every `periodMs / limit`.
 */
export function createGcraLimiter(now: () => number): {
  take(key: string, limit: number, periodMs: number): GcraState;
  reset(): void;
} {
  const tats = new Map<string, number>();
  return {
    take(key, limit, periodMs) {
      const t = now();
      const interval = periodMs / limit;
      const tat = Math.max(tats.get(key) ?? t, t);
      const next = tat + interval;
      const allowAt = next - periodMs;
      if (t < allowAt - 1e-9) {
        return { ok: false, limit, remaining: 0, resetAt: tat, retryAfterMs: Math.ceil(allowAt - t) };
      }
      tats.set(key, next);
      const remaining = Math.max(0, Math.floor((periodMs - (next - t)) / interval + 1e-9));
      return { ok: true, limit, remaining, resetAt: next, retryAfterMs: 0 };
    },
    reset() {
      tats.clear();
    },
  };
}

/** Counts events in a sliding window (Discord's invalid-request budget: 401, 403, 429 per 10 min). */
export function createSlidingCounter(
  now: () => number,
  windowMs: number,
): {
  add(): void;
  count(): number;
  reset(): void;
} {
  let times: number[] = [];
  let head = 0;
  const prune = () => {
    const cutoff = now() - windowMs;
    while (head < times.length && (times[head] ?? 0) <= cutoff) head++;
    if (head > 4096 && head * 2 > times.length) {
      times = times.slice(head);
      head = 0;
    }
  };
  return {
    add() {
      times.push(now());
      prune();
    },
    count() {
      prune();
      return times.length - head;
    },
    reset() {
      times = [];
      head = 0;
    },
  };
}
