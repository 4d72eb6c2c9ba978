import type { DeliveryReport, Round } from "./delivery-outcomes";
import type { ClaimedEvent, Clock, WebhookOutbox } from "./ports";

/** Part of its lease a round may use before it gives the rest of a run back unattempted. */
const LEASE_MARGIN = 0.8;

/** What {@link createDeliveryRound} needs. */
export interface DeliveryRoundDeps {
  outbox: WebhookOutbox;
  clock: Clock;
  owner: string;
  leaseMs: number;
  batchSize: number;
  perWebhook: number;
  concurrency: number;
  /**
   * Delivers the first of a webhook's remaining events (or the first few, as one message): resolves
   * how many it settled and whether the webhook's next event may follow.
   */
  deliver(events: ClaimedEvent[], round: Round): Promise<{ consumed: number; proceed: boolean }>;
  /** Runs once every run of the round has settled (also after a failed one). */
  afterRound?(round: Round): Promise<void>;
}

/**
 * One round: claims a batch, groups it into per-webhook runs, and delivers the runs
 * `concurrency` at a time — each run one event after another, stopping (and releasing the rest)
 * when an event fails or the lease runs short.
 */
export function createDeliveryRound(deps: DeliveryRoundDeps) {
  const { outbox, clock, owner, leaseMs } = deps;

  const deliverRun = async (events: ClaimedEvent[], claimedAt: number, round: Round) => {
    let i = 0;
    while (i < events.length) {
      const leaseShort = clock.now().getTime() - claimedAt > leaseMs * LEASE_MARGIN;
      const step = leaseShort ? null : await deps.deliver(events.slice(i), round);
      if (step) i += step.consumed;
      if (!step?.proceed) {
        const rest = events.slice(i).map((e) => e.id);
        if (rest.length > 0) {
          await outbox.release(rest, owner, { signal: round.signal });
          round.report.released += rest.length;
        }
        return;
      }
    }
  };

  return async function deliverOnce(opts: { signal?: AbortSignal } = {}): Promise<DeliveryReport> {
    const report: DeliveryReport = {
      claimed: 0,
      delivered: 0,
      retried: 0,
      dead: 0,
      disabledWebhooks: 0,
      released: 0,
      held: 0,
    };
    const now = clock.now();
    const events = await outbox.claim(
      { owner, leaseMs, limit: deps.batchSize, perWebhook: deps.perWebhook, now },
      { signal: opts.signal },
    );
    report.claimed = events.length;
    if (events.length === 0) return report;

    const runs = new Map<string, ClaimedEvent[]>();
    for (const e of events) {
      const run = runs.get(e.webhookId) ?? [];
      run.push(e);
      runs.set(e.webhookId, run);
    }
    const queue = [...runs.values()];
    const claimedAt = now.getTime();
    const round: Round = { report, signal: opts.signal };
    const workers = Array.from({ length: Math.min(deps.concurrency, queue.length) }, async () => {
      for (let run = queue.shift(); run; run = queue.shift()) {
        await deliverRun(run, claimedAt, round);
      }
    });
    // Every run settles before the round ends (a failed one must not start the next claim while
    // others are still posting), then the first failure is the round's.
    const failed = (await Promise.allSettled(workers)).find((r) => r.status === "rejected");
    await deps.afterRound?.(round);
    if (failed) throw failed.reason;
    return report;
  };
}
