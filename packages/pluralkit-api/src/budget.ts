import type { Clock, Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";

/**
 * A request budget: a token bucket of `rps` requests per second with a burst of `rps`
 * (PluralKit's limiter is GCRA with burst = rate over one second). Requests take their turn in
 * order; `pauseUntil` stops everyone (a 429, or `X-RateLimit-Remaining: 0`).
 */
export interface RequestBudget {
  /** Resolves when a request may be sent; rejects when `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Lets no request through before `atMs` (epoch ms). */
  pauseUntil(atMs: number): void;
  /** Requests waiting for their turn. */
  readonly waiting: number;
}

/** Options of {@link createRequestBudget}. */
export interface RequestBudgetOptions {
  rps: number;
  /** Default `systemClock` (`@guildkit/core/system`). */
  clock?: Clock;
  /** Waits for a token or the pause; default `systemScheduler`. */
  scheduler?: Scheduler;
}

/** Creates a {@link RequestBudget}. */
export function createRequestBudget(opts: RequestBudgetOptions): RequestBudget {
  const { rps } = opts;
  if (!(rps > 0)) throw new RangeError(`rps must be positive, got ${rps}`);
  const clock = opts.clock ?? systemClock;
  const scheduler = opts.scheduler ?? systemScheduler;
  const now = () => clock.now().getTime();
  let tokens = rps;
  let last = now();
  let pausedUntil = 0;
  let tail: Promise<void> = Promise.resolve();
  let waiting = 0;

  async function take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const t = now();
      tokens = Math.min(rps, tokens + ((t - last) / 1000) * rps);
      last = t;
      const wait = Math.max(pausedUntil - t, tokens >= 1 ? 0 : ((1 - tokens) / rps) * 1000);
      if (wait <= 0) {
        tokens -= 1;
        return;
      }
      await scheduler.sleep(Math.ceil(wait), { signal });
    }
  }

  return {
    acquire(signal) {
      waiting++;
      const turn = tail.then(() => take(signal));
      tail = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn.finally(() => {
        waiting--;
      });
    },
    pauseUntil(atMs) {
      pausedUntil = Math.max(pausedUntil, atMs);
    },
    get waiting() {
      return waiting;
    },
  };
}

/**
 * Reads `X-RateLimit-Reset` as epoch milliseconds. PluralKit documents milliseconds but its
 * current server sends seconds; a value above 1e12 is taken as milliseconds.
 */
export function parseResetHeader(value: string | null | undefined): number | null {
  if (value == null || value.trim() === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return null;
  return n > 1e12 ? n : n * 1000;
}
