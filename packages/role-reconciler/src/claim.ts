import { LeaseExpiredError } from "./errors";
import type { Clock, Scheduler, SyncItem } from "./ports";

/** Milliseconds left on an item's lease at `now` (negative once expired). */
export function leaseRemainingMs(item: SyncItem, now: Date): number {
  return item.leaseExpiresAt.getTime() - now.getTime();
}

/**
 * Whether processing may start: the lease must still have `guardMs` left, otherwise another
 * worker could take the member over mid-way. An item that may not start is released.
 */
export function canStart(item: SyncItem, now: Date, guardMs: number): boolean {
  return leaseRemainingMs(item, now) >= guardMs;
}

/**
 * How many members to claim at once so that the batch fits in half a lease at the measured pace
 * (`msPerItem`, `null` before any measurement), between 1 and `max`.
 */
export function claimBatchSize(opts: { leaseMs: number; msPerItem: number | null; max: number }): number {
  if (opts.msPerItem === null || opts.msPerItem <= 0) return opts.max;
  return Math.max(1, Math.min(opts.max, Math.floor(opts.leaseMs / 2 / opts.msPerItem)));
}

/** A signal bounded by a lease, from {@link leaseSignal}. */
export interface LeaseSignal {
  signal: AbortSignal;
  /** Stops the timer (call when the item is done). */
  dispose(): void;
}

/**
 * An AbortSignal that fires `safetyMs` before the item's lease expires (with a
 * {@link LeaseExpiredError}), or when `parent` fires. Calls made under it stop before another
 * worker can claim the member, so no member is ever processed by two workers at once.
 */
export function leaseSignal(opts: {
  item: SyncItem;
  clock: Clock;
  scheduler: Scheduler;
  safetyMs: number;
  parent?: AbortSignal;
}): LeaseSignal {
  const controller = new AbortController();
  const timer = new AbortController();
  const onParent = () => controller.abort(opts.parent?.reason);
  if (opts.parent?.aborted) controller.abort(opts.parent.reason);
  else opts.parent?.addEventListener("abort", onParent, { once: true });
  const wait = leaseRemainingMs(opts.item, opts.clock.now()) - opts.safetyMs;
  const expire = () => {
    if (!timer.signal.aborted) {
      controller.abort(new LeaseExpiredError(opts.item.memberId, opts.item.leaseExpiresAt));
    }
  };
  if (wait <= 0) expire();
  else opts.scheduler.sleep(wait, { signal: timer.signal }).then(expire, () => {});
  return {
    signal: controller.signal,
    dispose() {
      timer.abort();
      opts.parent?.removeEventListener("abort", onParent);
    },
  };
}
