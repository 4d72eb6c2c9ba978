import type { Clock, WebhookOutbox } from "@guildkit/webhook-templates";
import type { Registry } from "prom-client";
import { counterOn, gaugeOn, histogramOn, intercept, replaceGauge, seconds } from "./metrics-shared";
import type { WorkerStore } from "./store";

/** Delivery latency buckets, in seconds: a post takes milliseconds; a retried one, minutes to hours. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600];

/**
 * The outbox, its outcomes counted on `registry` as the delivery worker records them:
 * `guildkit_webhook_events_total{outcome}` (delivered, retried, dead — a disabled webhook's pending
 * events count as dead), `guildkit_webhook_delivery_latency_seconds` (from the change that wrote the
 * event to its delivery, retries included) and `guildkit_webhook_outbox_lag_seconds` (the age of the
 * oldest event the latest claim took: how far behind delivery runs; 0 after a claim that found
 * nothing due). No label names a webhook or an event.
 */
export function meterOutbox<TOutbox extends WebhookOutbox>(
  outbox: TOutbox,
  registry: Registry,
  clock: Clock,
): TOutbox {
  const events = counterOn(
    registry,
    "guildkit_webhook_events_total",
    "Outbox events settled by this worker, by outcome (delivered, retried, dead)",
    ["outcome"],
  );
  const latency = histogramOn(
    registry,
    "guildkit_webhook_delivery_latency_seconds",
    "Time from the data change that wrote an outbox event to its delivery on Discord, retries included",
    LATENCY_BUCKETS,
  );
  const lag = gaugeOn(
    registry,
    "guildkit_webhook_outbox_lag_seconds",
    "Age of the oldest outbox event the latest claim took (how far behind delivery runs); 0 when a claim found nothing due",
  );
  // Creation times of the events in hand (claimed, not yet settled). A disabled webhook's event
  // is settled without a completion: the cap keeps such leftovers from piling up.
  const inHand = new Map<string, number>();
  const claim: WebhookOutbox["claim"] = async (opts, io) => {
    const claimed = await outbox.claim(opts, io);
    if (inHand.size > 10_000) inHand.clear();
    let oldest = Number.POSITIVE_INFINITY;
    for (const event of claimed) {
      const created = event.createdAt.getTime();
      inHand.set(event.id, created);
      oldest = Math.min(oldest, created);
    }
    lag.set(claimed.length === 0 ? 0 : seconds(opts.now.getTime() - oldest));
    return claimed;
  };
  const complete: WebhookOutbox["complete"] = async (eventId, owner, completion, io) => {
    const applied = await outbox.complete(eventId, owner, completion, io);
    const created = inHand.get(eventId);
    inHand.delete(eventId);
    if (!applied) return applied;
    if (completion.state === "retry") events.inc({ outcome: "retried" });
    else events.inc({ outcome: completion.state });
    if (completion.state === "delivered" && created !== undefined) {
      latency.observe(seconds(clock.now().getTime() - created));
    }
    return applied;
  };
  const release: WebhookOutbox["release"] = async (eventIds, owner, io) => {
    for (const id of eventIds) inHand.delete(id);
    await outbox.release(eventIds, owner, io);
  };
  const disableWebhook: WebhookOutbox["disableWebhook"] = async (webhookId, reason, io) => {
    const count = await outbox.disableWebhook(webhookId, reason, io);
    events.inc({ outcome: "dead" }, count);
    return count;
  };
  return intercept(outbox, { claim, complete, release, disableWebhook } as Partial<TOutbox>);
}

/**
 * Registers the outbox gauge read at scrape time from the store's counts:
 * `guildkit_webhook_outbox_events{state}` — pending (waiting or backing off), dead (dead letters an
 * operator may redeliver) and delivered (kept until the retention purge). Registering again
 * replaces it.
 */
export function registerOutboxGauges(
  registry: Registry,
  webhooks: Pick<WorkerStore["webhooks"], "countByState">,
): void {
  replaceGauge(registry, {
    name: "guildkit_webhook_outbox_events",
    help: "Outbox events by state: pending (waiting or backing off for a retry), dead (dead letters), delivered (kept until the retention purge)",
    labelNames: ["state"],
    async read() {
      const counts = await webhooks.countByState();
      return Object.entries(counts).map(([state, n]) => [{ state }, n] as const);
    },
  });
}
