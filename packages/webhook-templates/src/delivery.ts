import { backoffMs } from "@guildkit/core";
import { type ChannelBudget, createChannelBudget } from "./channel-budget";
import { createEmbedCache } from "./delivery-embeds";
import { createTemplateCache } from "./delivery-message";
import { createOutcomeRecorder, type DeliveryReport } from "./delivery-outcomes";
import { createDeliveryRound } from "./delivery-round";
import { createDeliverStep } from "./delivery-send";
import { withOutcomeRetries } from "./outcome-retries";
import type { Clock, EventLog, Scheduler, WebhookOutbox, WebhookSender } from "./ports";
import { createChannelResolver, type WebhookChannelLookup } from "./webhook-channels";

export type { DeliveryReport } from "./delivery-outcomes";

/** What {@link createWebhookDelivery} needs. */
export interface WebhookDeliveryOptions {
  outbox: WebhookOutbox;
  /** Posts the messages: one attempt per call (see {@link WebhookSender}; no retries of its own). */
  sender: WebhookSender;
  clock: Clock;
  /** Waits between failed claims (the database is down); never used while work flows. */
  scheduler: Scheduler;
  log?: EventLog | null;
  /** This worker's id, written as the lease owner (e.g. `worker-<host>-<pid>`). */
  owner: string;
  /** How long a claim holds its events (default 120 s); a crashed worker's events return after it. */
  leaseMs?: number;
  /** Events claimed per round (default 100). */
  batchSize?: number;
  /** Events of one webhook claimed per round, sent one after another (default 10). */
  perWebhook?: number;
  /** Webhooks served in parallel (default 16). */
  concurrency?: number;
  /** Longest wait for new events before claiming again (default 1,000 ms; retries become due meanwhile). */
  idleWaitMs?: number;
  /** How often a polling outbox (SQLite) looks for new events while idle (default: the outbox's, 50 ms). */
  pollIntervalMs?: number;
  /** An API base other than Discord's whose webhook URLs are accepted (a simulator). */
  webhookBaseUrl?: string | null;
  /**
   * Reads each webhook's channel once (`GET /webhooks/{id}/{token}`; `@guildkit/discord-rest`'s
   * client satisfies it), so that webhooks posting into one channel share its budget. Absent or
   * `null`: each webhook counts as a channel of its own (a thread URL's `thread_id` always is one).
   */
  channelLookup?: WebhookChannelLookup | null;
  /**
   * Discord's hidden per-channel message limit: default `createChannelBudget()` (30 per 60 s, held in
   * this process); `null` turns it off. An event whose channel has no message free is not sent: it
   * stays pending, unattempted, until one is (`held` in the round's report).
   */
  channelBudget?: ChannelBudget | null;
  /**
   * The waits after each failed attempt for webhooks without their own `retryDelaysMs` (default
   * `DEFAULT_RETRY_DELAYS_MS`: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; `n` waits: dead after attempt
   * `n + 1`). Shorter waits are for runs that must settle in seconds (CI, `WEBHOOK_RETRY_SCHEDULE_MS`).
   */
  defaultRetryDelaysMs?: readonly number[] | null;
}

/** What a delivery worker did since it was created (each round's report, summed): for metrics. */
export type DeliveryCounters = DeliveryReport;

/** The delivery worker. */
export interface WebhookDelivery {
  /**
   * Totals since this worker was created: claimed, delivered, retried, dead (every dead-lettered
   * event, also by a disable), disabled webhooks, released, held. A metrics registry reads them.
   */
  counters(): DeliveryCounters;
  /** Claims one batch and delivers it; resolves when every claimed event is settled. */
  deliverOnce(opts?: { signal?: AbortSignal }): Promise<DeliveryReport>;
  /**
   * Delivers until `signal` aborts: claims, delivers, and when nothing is due waits for the outbox
   * to signal new events (at most `idleWaitMs`). In-flight sends finish before it resolves.
   */
  run(opts: { signal: AbortSignal }): Promise<void>;
}

/** The waits of `run` after failed rounds: 1 s doubling to 30 s (`backoffMs`, no jitter). */
export const ROUND_FAILURE_BACKOFF = { baseMs: 1_000, capMs: 30_000, jitter: 0 } as const;

/**
 * Creates the delivery worker: it claims outbox events with leases, renders each from its stored
 * row data (`delivery-message.ts`), posts it with `wait=true`, and records the outcome by the
 * delivery policy (`delivery-outcomes.ts`) — keeping each webhook's events in order (one after
 * another; a failure stops that webhook's batch: `delivery-round.ts`).
 */
export function createWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const idleWaitMs = options.idleWaitMs ?? 1_000;
  const { sender, clock, owner } = options;
  // Outcomes are written again while the lease lasts when the database blinks (see outcome-retries).
  const outbox = withOutcomeRetries(options.outbox, { clock, scheduler: options.scheduler });
  const recorder = createOutcomeRecorder({ outbox, clock, owner, log: options.log });
  const webhookBaseUrl = options.webhookBaseUrl ?? null;
  const budget = options.channelBudget === undefined ? createChannelBudget() : options.channelBudget;
  const channels = createChannelResolver({ lookup: options.channelLookup ?? null, clock });

  const defaultRetryDelaysMs = options.defaultRetryDelaysMs ?? null;
  if (defaultRetryDelaysMs && !defaultRetryDelaysMs.every((ms) => Number.isFinite(ms) && ms >= 0)) {
    throw new RangeError("defaultRetryDelaysMs must hold finite waits in ms ≥ 0");
  }

  const deliver = createDeliverStep({
    defaultRetryDelaysMs,
    sender,
    clock,
    recorder,
    budget,
    channels,
    templateFor: createTemplateCache(),
    embedFor: createEmbedCache(),
    webhookBaseUrl,
  });

  const totals: DeliveryCounters = {
    claimed: 0,
    delivered: 0,
    retried: 0,
    dead: 0,
    disabledWebhooks: 0,
    released: 0,
    held: 0,
  };
  const deliverRound = createDeliveryRound({
    outbox,
    clock,
    owner,
    leaseMs: options.leaseMs ?? 120_000,
    batchSize: options.batchSize ?? 100,
    perWebhook: options.perWebhook ?? 10,
    concurrency: options.concurrency ?? 16,
    deliver,
    async afterRound(round) {
      for (const key of Object.keys(totals) as (keyof DeliveryCounters)[]) totals[key] += round.report[key];
      await recorder.alertDead(round);
    },
  });
  const deliverOnce: WebhookDelivery["deliverOnce"] = (opts) => deliverRound(opts);

  const waitOptions =
    options.pollIntervalMs === undefined
      ? { timeoutMs: idleWaitMs }
      : { timeoutMs: idleWaitMs, pollIntervalMs: options.pollIntervalMs };

  const run = async ({ signal }: { signal: AbortSignal }): Promise<void> => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const report = await deliverOnce({ signal });
        failures = 0;
        if (report.claimed === 0 && !signal.aborted) await outbox.waitForEvents(waitOptions, { signal });
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        await recorder.log({
          kind: "webhook.worker_error",
          level: "error",
          message: `webhook delivery round failed: ${(err as Error).message}`,
          data: { failures },
        });
        const delayMs = backoffMs(failures, { policy: ROUND_FAILURE_BACKOFF });
        await options.scheduler.sleep(delayMs, { signal }).catch(() => {});
      }
    }
  };

  return { deliverOnce, run, counters: () => ({ ...totals }) };
}
