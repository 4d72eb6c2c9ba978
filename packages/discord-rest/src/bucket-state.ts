/** The state of one local bucket and the pure rules that read and update it (see `bucket.ts`). */
import type { RateLimitInfo } from "./headers";
import type { Route } from "./route";

/** A reserved slot in a bucket, held from before the limiter wait until the answer. */
export interface BucketReservation {
  /** True when the server has since announced the bucket exhausted: do not send, `cancel()` and reacquire. */
  blocked(): boolean;
  /** The answer arrived: record its headers and free the slot. */
  settle(info: RateLimitInfo): void;
  /** A route-scoped 429 arrived: record it (and its headers), free the slot. */
  settleRateLimited(info: RateLimitInfo, retryAfterMs: number): void;
  /** No answer (network error, timeout, abort, not sent): free the slot. */
  cancel(): void;
}

/** A request waiting for a slot in a bucket. */
export interface Waiter {
  route: Route;
  resolve(reservation: BucketReservation): void;
  reject(reason: unknown): void;
}

/** One local bucket. Exposed for tests and `snapshot()`; mutate only through the registry. */
export interface BucketState {
  key: string;
  /** null: unknown (no answer yet); Infinity: the server sends no limits for it. */
  limit: number | null;
  /** `remaining` as last announced for the current window. */
  remaining: number;
  /** Local epoch ms at which the current window ends. */
  resetAt: number;
  /** The server's `X-RateLimit-Reset` of the current window (identifies it), or null. */
  windowId: number | null;
  /** Requests reserved (queued in the limiter or in flight) and not yet answered. */
  inFlight: number;
  waiters: Waiter[];
  mergedInto: BucketState | null;
  lastUsed: number;
  /** Cancels the wait that wakes the waiters at `timerAt`, or null. */
  timer: AbortController | null;
  timerAt: number;
}

export function newBucket(key: string, now: number): BucketState {
  return {
    key,
    limit: null,
    remaining: 0,
    resetAt: 0,
    windowId: null,
    inFlight: 0,
    waiters: [],
    mergedInto: null,
    lastUsed: now,
    timer: null,
    timerAt: 0,
  };
}

/** Slots a new request may reserve now (≤ 0 means wait). */
export function availableSlots(bucket: BucketState, now: number): number {
  if (bucket.limit === Infinity) return Number.POSITIVE_INFINITY;
  if (bucket.limit === null) {
    if (now < bucket.resetAt) return 0;
    return bucket.inFlight === 0 ? 1 : 0;
  }
  const remaining = now >= bucket.resetAt ? bucket.limit : bucket.remaining;
  return remaining - bucket.inFlight;
}

/** True when the server announced that this bucket has nothing left in the current window. */
export function announcedExhausted(bucket: BucketState, now: number): boolean {
  return now < bucket.resetAt && bucket.remaining <= 0 && bucket.limit !== Infinity;
}

/** Milliseconds until the current window resets (0 when it already has). */
export function msUntilReset(bucket: BucketState, now: number): number {
  return Math.max(0, bucket.resetAt - now);
}

/**
 * Applies an answer's headers to a bucket. Answers can arrive out of order, so within one window
 * (same `X-RateLimit-Reset`) the lowest `remaining` wins; an answer from an older window is ignored.
 */
export function applyHeaders(bucket: BucketState, info: RateLimitInfo, now: number): void {
  if (info.limit === null && info.remaining === null && info.resetAfterMs === null) {
    if (bucket.limit === null) bucket.limit = Number.POSITIVE_INFINITY;
    return;
  }
  const resetAt = now + (info.resetAfterMs ?? 0);
  const remaining = info.remaining ?? bucket.remaining;
  let sameWindow: boolean;
  if (info.resetAtEpochMs !== null && bucket.windowId !== null) {
    if (info.resetAtEpochMs < bucket.windowId - 1) return; // a late answer from an earlier window
    sameWindow = info.resetAtEpochMs <= bucket.windowId + 1;
  } else {
    sameWindow = bucket.limit !== null && now < bucket.resetAt && resetAt <= bucket.resetAt + 50;
  }
  if (info.limit !== null) bucket.limit = info.limit;
  else if (bucket.limit === null || bucket.limit === Infinity) bucket.limit = Math.max(remaining, 1);
  if (sameWindow) {
    bucket.remaining = Math.min(bucket.remaining, remaining);
    bucket.resetAt = Math.max(bucket.resetAt, resetAt);
  } else {
    bucket.remaining = remaining;
    bucket.resetAt = resetAt;
  }
  if (info.resetAtEpochMs !== null) bucket.windowId = info.resetAtEpochMs;
}

/** Marks a bucket exhausted for `retryAfterMs` after a route-scoped 429. */
export function applyRateLimited(bucket: BucketState, retryAfterMs: number, now: number): void {
  if (bucket.limit === Infinity) bucket.limit = null;
  bucket.remaining = 0;
  bucket.resetAt = Math.max(bucket.resetAt, now + retryAfterMs);
}
