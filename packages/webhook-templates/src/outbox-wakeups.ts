import type { IoOptions, Scheduler } from "@guildkit/core";

/** How often {@link createPollingWakeups} looks for due events by default. */
export const DEFAULT_POLL_INTERVAL_MS = 50;

/** What {@link OutboxWakeups.wait} is given. */
export interface OutboxWaitOptions extends IoOptions {
  /** The longest wait; it resolves then even if nothing was signalled. */
  timeoutMs: number;
  /** How often a polling wake-up looks (`due()`); a hint that signalling wake-ups ignore. */
  pollIntervalMs?: number;
  /**
   * Whether a claim now would lease an event — the outbox's own rule, so an event waiting behind
   * its webhook's leased head does not end a wait at once. May reject (the database is away): the
   * wait then rejects with that error.
   */
  due(opts?: IoOptions): Promise<boolean>;
}

/**
 * Port: what wakes an idle outbox. The store factory hands one to its outbox, and
 * {@link WebhookOutbox.waitForEvents} is `wait` with the outbox's `due` check:
 * `@guildkit/store-postgres` passes `LISTEN/NOTIFY` (falling back to polling while its connection is
 * away), `@guildkit/store-sqlite` {@link createPollingWakeups}. Every port built from the store —
 * `store.transaction()`'s included — waits on the same wake-ups.
 */
export interface OutboxWakeups {
  /**
   * Resolves when events may be due (`due()` found one, or the source signalled new events), at
   * `timeoutMs` at the latest, and at once when `signal` aborts. Rejects only with `due()`'s error.
   */
  wait(opts: OutboxWaitOptions): Promise<void>;
}

/** Options of {@link createPollingWakeups}. */
export interface PollingWakeupOptions {
  /** Waits between looks and for the timeout (`systemScheduler` of `@guildkit/core/system` in an app). */
  scheduler: Scheduler;
  /** Default interval between looks when a wait gives none (default {@link DEFAULT_POLL_INTERVAL_MS}). */
  pollIntervalMs?: number;
}

/**
 * Wake-ups by polling: a wait looks with `due()` at once, then every `pollIntervalMs`, until one is
 * due, the timeout passes or the signal aborts. Time only comes from `scheduler`.
 */
export function createPollingWakeups(options: PollingWakeupOptions): OutboxWakeups {
  const { scheduler } = options;
  const defaultInterval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  return {
    async wait(opts) {
      const stop = linkedStop(opts.signal);
      if (stop.signal.aborted) return;
      // The timeout ends the loop's current sleep and the loop with it.
      void scheduler.sleep(Math.max(0, opts.timeoutMs), { signal: stop.signal }).then(() => stop.abort());
      try {
        const interval = Math.max(0, opts.pollIntervalMs ?? defaultInterval);
        while (!stop.signal.aborted) {
          if (await opts.due(opts.signal ? { signal: opts.signal } : {})) return;
          if (stop.signal.aborted) return;
          await scheduler.sleep(interval, { signal: stop.signal });
        }
      } finally {
        stop.abort();
      }
    },
  };
}

/** An `AbortController` that also aborts with `signal`; aborting it detaches the listener. */
export function linkedStop(signal: AbortSignal | undefined): AbortController {
  const stop = new AbortController();
  if (signal?.aborted) {
    stop.abort();
    return stop;
  }
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  stop.signal.addEventListener("abort", () => signal?.removeEventListener("abort", onAbort), { once: true });
  return stop;
}
