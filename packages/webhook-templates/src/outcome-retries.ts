import type { ClaimedEvent, Clock, Completion, IoOptions, Scheduler, WebhookOutbox } from "./ports";

/** The first wait before writing an outcome again; it doubles up to {@link MAX_RETRY_MS}. */
export const FIRST_RETRY_MS = 250;
/** The longest wait between two attempts at writing an outcome. */
export const MAX_RETRY_MS = 5_000;

/**
 * The outbox as delivery uses it, with outcomes that survive a database blip. Once a message is
 * posted, its outcome must be written: if `complete` (or `release`) fails — the database restarting,
 * a failover — it is tried again with backoff (250 ms doubling to 5 s) for as long as this worker's
 * lease on the event lasts. Giving up at once would leave the event leased, and by the per-webhook
 * order every later event of its webhook would wait for the lease to expire (2 minutes by default),
 * then be posted again. After the lease, or once `io.signal` aborts (shutdown), the last error is
 * thrown as before: the lease's expiry brings the event back (at least once). The signal only stops
 * the retries, never the first attempt, so an outcome in hand is still written at shutdown.
 */
export function withOutcomeRetries(
  outbox: WebhookOutbox,
  deps: { clock: Clock; scheduler: Scheduler },
): WebhookOutbox {
  /** Per claimed event: when its lease ends (claim time + lease). */
  const leaseEnds = new Map<string, number>();

  async function persist<T>(ids: readonly string[], io: IoOptions, write: () => Promise<T>): Promise<T> {
    const until = ids.length === 0 ? 0 : Math.min(...ids.map((id) => leaseEnds.get(id) ?? 0));
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        const result = await write();
        for (const id of ids) leaseEnds.delete(id);
        return result;
      } catch (error) {
        const next = deps.clock.now().getTime() + delay;
        if (io.signal?.aborted || next >= until) {
          for (const id of ids) leaseEnds.delete(id);
          throw error;
        }
        await deps.scheduler.sleep(delay, io.signal ? { signal: io.signal } : undefined).catch(() => {});
      }
    }
  }

  return {
    async claim(opts, io) {
      const events: ClaimedEvent[] = await outbox.claim(opts, io);
      for (const event of events) leaseEnds.set(event.id, opts.now.getTime() + opts.leaseMs);
      return events;
    },
    complete(eventId: string, owner: string, completion: Completion, io: IoOptions = {}) {
      return persist([eventId], io, () => outbox.complete(eventId, owner, completion));
    },
    release(eventIds, owner, io: IoOptions = {}) {
      return persist(eventIds, io, () => outbox.release(eventIds, owner));
    },
    disableWebhook: (webhookId, reason, io) => outbox.disableWebhook(webhookId, reason, io),
    waitForEvents: (opts, io) => outbox.waitForEvents(opts, io),
  };
}
