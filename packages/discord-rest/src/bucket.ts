import type { Clock, Scheduler } from "@guildkit/core";
import {
  announcedExhausted,
  applyHeaders,
  applyRateLimited,
  availableSlots,
  type BucketReservation,
  type BucketState,
  msUntilReset,
  newBucket,
  type Waiter,
} from "./bucket-state";
import type { RateLimitInfo } from "./headers";
import { fallbackBucketKey, type Route, routeFamily } from "./route";

/**
 * Local bookkeeping of Discord's per-route buckets.
 *
 * Buckets are keyed by (bucket hash from `X-RateLimit-Bucket`, major parameter); before the first
 * answer names the hash, by (method + route template, major parameter). A request reserves a slot
 * before it is sent, so concurrent requests never outrun what the server announced: the slots left
 * are the announced `remaining` (or the full `limit` once the window has reset) minus the requests
 * reserved or in flight. A bucket never seen before lets one request through at a time until its
 * first answer arrives.
 */

/** Time source and timers of the registry (the client passes its own; tests pass fake time). */
export interface BucketRegistryOptions {
  clock: Clock;
  /**
   * Wakes the waiters of a bucket when its window resets (with `sleep`, which keeps the process
   * alive while a request waits, as an awaited request should).
   */
  scheduler: Scheduler;
}

export {
  announcedExhausted,
  applyHeaders,
  applyRateLimited,
  availableSlots,
  type BucketReservation,
  type BucketState,
  msUntilReset,
} from "./bucket-state";

/** A read-only view of one bucket, for `stats()` and debugging. */
export interface BucketSnapshot {
  key: string;
  limit: number | null;
  remaining: number;
  resetInMs: number;
  inFlight: number;
  queued: number;
}

/** The registry of local buckets for one client. */
export interface BucketRegistry {
  /**
   * Reserves a slot in the route's bucket, waiting while the bucket is exhausted (FIFO). Rejects with
   * the signal's reason when it aborts first. `onWait` is called once if the request had to wait.
   */
  acquire(route: Route, opts?: { signal?: AbortSignal; onWait?: () => void }): Promise<BucketReservation>;
  /** Number of buckets held. */
  size(): number;
  snapshot(): BucketSnapshot[];
  /** Cancels timers and rejects queued waiters. */
  close(reason: unknown): void;
}

const SWEEP_EVERY_MS = 60_000;
const IDLE_MS = 10 * 60_000;

/** Creates an empty bucket registry. */
export function createBucketRegistry(options: BucketRegistryOptions): BucketRegistry {
  const { scheduler } = options;
  const clockMs = () => options.clock.now().getTime();
  const cancelTimer = (bucket: BucketState) => {
    bucket.timer?.abort();
    bucket.timer = null;
  };
  /** Calls `fn` after `ms` unless the returned controller aborts first. */
  const wakeAfter = (ms: number, fn: () => void): AbortController => {
    const cancel = new AbortController();
    void scheduler.sleep(ms, { signal: cancel.signal }).then(() => {
      if (!cancel.signal.aborted) fn();
    });
    return cancel;
  };
  const buckets = new Map<string, BucketState>();
  /** route template → bucket hash announced for it */
  const hashes = new Map<string, string>();
  /** route family → the hash announced for one of its routes (a guess for its other methods until they answer) */
  const familyHashes = new Map<string, string>();
  let lastSweep = clockMs();

  const resolve = (bucket: BucketState): BucketState => {
    let current = bucket;
    while (current.mergedInto) current = current.mergedInto;
    return current;
  };

  /** Moves (or merges) the bucket held under `fromKey` to `toKey`; returns the bucket now at `toKey`. */
  const move = (from: BucketState, toKey: string): BucketState => {
    const target = buckets.get(toKey);
    if (target === from) return from;
    buckets.delete(from.key);
    if (!target) {
      from.key = toKey;
      buckets.set(toKey, from);
      return from;
    }
    target.inFlight += from.inFlight;
    target.waiters.push(...from.waiters);
    from.inFlight = 0;
    from.waiters = [];
    cancelTimer(from);
    from.mergedInto = target;
    return target;
  };

  const bucketFor = (route: Route, now: number): BucketState => {
    const fallback = fallbackBucketKey(route);
    const hash = hashes.get(route.template) ?? familyHashes.get(routeFamily(route));
    if (hash === undefined) {
      let bucket = buckets.get(fallback);
      if (!bucket) {
        bucket = newBucket(fallback, now);
        buckets.set(fallback, bucket);
      }
      return bucket;
    }
    const key = `${hash}|${route.major}`;
    const old = buckets.get(fallback);
    if (old) return move(old, key);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = newBucket(key, now);
      buckets.set(key, bucket);
    }
    return bucket;
  };

  const sweep = (now: number) => {
    lastSweep = now;
    for (const [key, bucket] of buckets) {
      if (
        bucket.inFlight === 0 &&
        bucket.waiters.length === 0 &&
        now >= bucket.resetAt &&
        now - bucket.lastUsed > IDLE_MS
      ) {
        cancelTimer(bucket);
        buckets.delete(key);
      }
    }
  };

  const pump = (start: BucketState) => {
    const bucket = resolve(start);
    const now = clockMs();
    while (bucket.waiters.length > 0 && availableSlots(bucket, now) > 0) {
      const waiter = bucket.waiters.shift()!;
      bucket.inFlight += 1;
      bucket.lastUsed = now;
      waiter.resolve(reservationFor(bucket, waiter.route));
    }
    if (bucket.waiters.length > 0 && bucket.resetAt > now) {
      // Blocked by the window (not only by requests in flight): wake up when it resets.
      if (bucket.timer === null || bucket.timerAt !== bucket.resetAt) {
        cancelTimer(bucket);
        bucket.timerAt = bucket.resetAt;
        bucket.timer = wakeAfter(bucket.resetAt - now, () => {
          bucket.timer = null;
          pump(bucket);
        });
      }
    }
  };

  const release = (held: BucketState) => {
    const bucket = resolve(held);
    bucket.inFlight = Math.max(0, bucket.inFlight - 1);
    bucket.lastUsed = clockMs();
    return bucket;
  };

  const learnHash = (route: Route, held: BucketState, info: RateLimitInfo): BucketState => {
    const bucket = resolve(held);
    if (info.bucket === null) return bucket;
    hashes.set(route.template, info.bucket);
    familyHashes.set(routeFamily(route), info.bucket);
    const key = `${info.bucket}|${route.major}`;
    if (bucket.key === key) return bucket;
    // A fallback bucket becomes (or merges into) the named one.
    if (bucket.key.startsWith("route:")) return move(bucket, key);
    // The family's guess was wrong: this route has a bucket of its own; leave the shared one alone.
    let target = buckets.get(key);
    if (!target) {
      target = newBucket(key, clockMs());
      buckets.set(key, target);
    }
    return target;
  };

  function reservationFor(bucket: BucketState, route: Route): BucketReservation {
    let done = false;
    const finish = (apply: (freed: BucketState) => BucketState) => {
      if (done) return;
      done = true;
      pump(apply(release(bucket)));
    };
    return {
      blocked: () => announcedExhausted(resolve(bucket), clockMs()),
      settle: (info) =>
        finish((freed) => {
          const target = learnHash(route, freed, info);
          applyHeaders(target, info, clockMs());
          return target;
        }),
      settleRateLimited: (info, retryAfterMs) =>
        finish((freed) => {
          const target = learnHash(route, freed, info);
          applyHeaders(target, info, clockMs());
          applyRateLimited(target, retryAfterMs, clockMs());
          return target;
        }),
      cancel: () => finish((freed) => freed),
    };
  }

  return {
    acquire(route, opts = {}) {
      const { signal } = opts;
      if (signal?.aborted) return Promise.reject(signal.reason);
      const now = clockMs();
      if (now - lastSweep > SWEEP_EVERY_MS) sweep(now);
      const bucket = bucketFor(route, now);
      bucket.lastUsed = now;
      if (bucket.waiters.length === 0 && availableSlots(bucket, now) > 0) {
        bucket.inFlight += 1;
        return Promise.resolve(reservationFor(bucket, route));
      }
      opts.onWait?.();
      return new Promise<BucketReservation>((resolvePromise, rejectPromise) => {
        const onAbort = () => {
          const current = resolve(bucket);
          const index = current.waiters.indexOf(waiter);
          if (index >= 0) current.waiters.splice(index, 1);
          rejectPromise(signal?.reason);
        };
        const waiter: Waiter = {
          route,
          resolve: (reservation) => {
            signal?.removeEventListener("abort", onAbort);
            resolvePromise(reservation);
          },
          reject: (reason) => {
            signal?.removeEventListener("abort", onAbort);
            rejectPromise(reason);
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        bucket.waiters.push(waiter);
        pump(bucket);
      });
    },
    size: () => buckets.size,
    snapshot() {
      const now = clockMs();
      return [...buckets.values()].map((b) => ({
        key: b.key,
        limit: b.limit === Infinity ? null : b.limit,
        remaining: now >= b.resetAt ? (b.limit ?? 0) : b.remaining,
        resetInMs: msUntilReset(b, now),
        inFlight: b.inFlight,
        queued: b.waiters.length,
      }));
    },
    close(reason) {
      for (const bucket of buckets.values()) {
        cancelTimer(bucket);
        for (const waiter of bucket.waiters.splice(0)) waiter.reject(reason);
      }
      buckets.clear();
      hashes.clear();
      familyHashes.clear();
    },
  };
}
