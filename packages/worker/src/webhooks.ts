import { backoffMs } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import {
  createDiscordRest,
  createEventLogReporter,
  createRedisChannelBudget,
  createRedisInvalidRequestLedger,
  type DiscordRest,
  type EventLogReporter,
  type ReporterProcessLog,
} from "@guildkit/discord-rest";
import {
  CHANNEL_WINDOW_MARGIN_MS,
  type ChannelBudget,
  type Clock,
  createChannelBudget,
  createWebhookDelivery,
  DEFAULT_CHANNEL_LIMIT,
  type Scheduler,
  WEBHOOK_SENDER_RETRIES,
  type WebhookDelivery,
  type WebhookDeliveryOptions,
  type WebhookSender,
} from "@guildkit/webhook-templates";
import type { Registry } from "prom-client";
import type { WorkerTask } from "./context";
import type { Logger } from "./logger";
import { createDiscordMetrics } from "./metrics-discord";
import { meterOutbox, registerOutboxGauges } from "./metrics-webhooks";
import type { WorkerStore } from "./store";

/** What the webhook worker needs from the process. */
export interface WebhookWorkerDeps {
  store: Pick<WorkerStore, "webhooks" | "eventLog">;
  /** Where Discord is (`DISCORD_API_BASE_URL`; a simulator in tests). */
  discordApiBaseUrl: string;
  /** Lease owner (the worker id). */
  owner: string;
  clock?: Clock;
  scheduler?: Scheduler;
  /**
   * The Discord client to post with; by default one is built for `discordApiBaseUrl` with
   * `retries: WEBHOOK_SENDER_RETRIES`. A sender given here must follow the port's contract too:
   * one attempt per call (see `WebhookSender`).
   */
  sender?: WebhookSender;
  /** Per-attempt timeout of a post (default 15 s). */
  timeoutMs?: number;
  /** Posts per second across all webhooks (default 45: under Discord's 50/s per IP). */
  rps?: number;
  /**
   * Count invalid requests (the ban guard) and each channel's message budget with every other
   * process through Redis (`createRedisChannelBudget`; the in-process budget while Redis is away).
   */
  redisUrl?: string | null;
  /** Discord's per-channel message limit the shared budget keeps to (default 30 per 60 s, plus a 1 s margin). */
  channelLimit?: { limit: number; windowMs: number; marginMs?: number };
  /** The Redis key prefix of the channel budget (default `guildkit:budget:`). */
  channelKeyPrefix?: string;
  /** Tuning of the delivery worker (lease, batch, concurrency, idle wait). */
  delivery?: Partial<Omit<WebhookDeliveryOptions, "outbox" | "sender" | "clock" | "scheduler" | "owner">>;
  /** The process log: gets the built client's retries (aggregated), as the event log does. */
  log?: ReporterProcessLog;
  /** Where the outbox's and the built client's metrics go (`metrics-webhooks.ts`, `metrics-discord.ts`); none by default. */
  metrics?: Registry;
}

/** The assembled webhook worker. */
export interface WebhookWorker {
  delivery: WebhookDelivery;
  /** The Discord client, when this worker built it. */
  rest: DiscordRest | null;
  /**
   * The built client's own retries (429s waited out) on their way to the event log, aggregated per
   * route and minute: `close()` it at shutdown. `null` when `sender` was given.
   */
  clientEvents: EventLogReporter | null;
  /** Closes what the worker opened beside the client (the Redis channel budget's connection). */
  close(): Promise<void>;
}

/**
 * Wires webhook delivery: the store's outbox, and a Discord client that posts with `wait=true`,
 * waits out per-webhook buckets and 429s itself, and is built as the `WebhookSender` port requires
 * (`retries: WEBHOOK_SENDER_RETRIES`): it never repeats a post itself, so the core's attempt count
 * and possible-duplicate record stay true.
 */
export function createWebhookWorker(deps: WebhookWorkerDeps): WebhookWorker {
  const clock = deps.clock ?? systemClock;
  const discordMetrics = deps.metrics ? createDiscordMetrics(deps.metrics, "webhooks") : null;
  const clientEvents =
    deps.sender === undefined
      ? createEventLogReporter({ eventLog: deps.store.eventLog, clock, log: deps.log })
      : null;
  const rest =
    clientEvents === null
      ? null
      : createDiscordRest({
          token: "webhook-only",
          apiBaseUrl: deps.discordApiBaseUrl,
          rps: deps.rps ?? 45,
          ...(deps.redisUrl
            ? { banGuard: { ledger: createRedisInvalidRequestLedger({ url: deps.redisUrl }) } }
            : {}),
          retries: WEBHOOK_SENDER_RETRIES,
          timeoutMs: deps.timeoutMs ?? 15_000,
          logger: clientEvents.logger,
          ...(discordMetrics ? { observer: discordMetrics.observer } : {}),
        });
  if (rest) discordMetrics?.track(rest);
  const channelLimit: { limit: number; windowMs: number; marginMs?: number } =
    deps.channelLimit ?? DEFAULT_CHANNEL_LIMIT;
  const channelBudget = deps.redisUrl
    ? createRedisChannelBudget({
        url: deps.redisUrl,
        limit: channelLimit.limit,
        windowMs: channelLimit.windowMs + (channelLimit.marginMs ?? CHANNEL_WINDOW_MARGIN_MS),
        fallback: createChannelBudget(channelLimit),
        ...(deps.channelKeyPrefix ? { keyPrefix: deps.channelKeyPrefix } : {}),
        clock,
      })
    : null;
  const sender: WebhookSender = deps.sender ?? (rest as DiscordRest);
  const delivery = createWebhookDelivery({
    outbox: deps.metrics ? meterOutbox(deps.store.webhooks, deps.metrics, clock) : deps.store.webhooks,
    sender,
    clock,
    scheduler: deps.scheduler ?? systemScheduler,
    log: deps.store.eventLog,
    owner: deps.owner,
    webhookBaseUrl: deps.discordApiBaseUrl,
    // The client reads each webhook's channel once, so webhooks into one channel share its budget.
    channelLookup: rest,
    ...(channelBudget ? { channelBudget: channelBudget satisfies ChannelBudget } : {}),
    ...deps.delivery,
  });
  return { delivery, rest, clientEvents, close: async () => channelBudget?.close() };
}

type TriggerRepairReport = Awaited<ReturnType<WorkerStore["webhooks"]["repairTriggers"]>>;

/** The first wait before retrying a failed trigger repair; it doubles up to {@link REPAIR_MAX_DELAY_MS}. */
export const REPAIR_FIRST_DELAY_MS = 1_000;
/** The longest wait between two attempts of the trigger repair. */
export const REPAIR_MAX_DELAY_MS = 5 * 60_000;
/** The repair's retry waits (`backoffMs` of `@guildkit/core`; no jitter: one process retries alone). */
const REPAIR_BACKOFF = { baseMs: REPAIR_FIRST_DELAY_MS, capMs: REPAIR_MAX_DELAY_MS, jitter: 0 };

/**
 * Runs the start-up trigger repair (`store.webhooks.repairTriggers`) until it succeeds: after a
 * failure (the database restarting, a lock timeout) it waits through `scheduler` — 1 s, doubling up
 * to 5 min — and tries again, logging each failure. Resolves with the report, or `null` when
 * `signal` aborts first.
 */
export async function repairTriggersUntilDone(deps: {
  store: Pick<WorkerStore, "webhooks">;
  scheduler: Scheduler;
  logger: Pick<Logger, "warn" | "error">;
  signal: AbortSignal;
}): Promise<TriggerRepairReport | null> {
  for (let attempt = 1; !deps.signal.aborted; attempt++) {
    try {
      const report = await deps.store.webhooks.repairTriggers({ signal: deps.signal });
      if (report.dropped.length > 0 || report.disabled.length > 0) {
        deps.logger.warn({ ...report }, "webhook triggers repaired at start-up");
      }
      return report;
    } catch (err) {
      if (deps.signal.aborted) break;
      const delayMs = backoffMs(attempt, { policy: REPAIR_BACKOFF });
      deps.logger.error(
        { err, attempt, retryInMs: delayMs },
        "repairing the webhook triggers failed; delivery goes on, the repair is retried",
      );
      await deps.scheduler.sleep(delayMs, { signal: deps.signal });
    }
  }
  return null;
}

/**
 * The worker task: delivers until shutdown while the start-up trigger repair (no orphan row, no
 * orphan trigger) runs beside it — retried with backoff if it fails, so a database hiccup at start
 * never stops delivery. Postgres wakes delivery with LISTEN/NOTIFY; SQLite is polled every 50 ms.
 * The Discord client's retries reach the event log (held counts written at shutdown).
 */
export const webhookDeliveryTask: WorkerTask = {
  name: "webhook-delivery",
  async run(ctx, signal) {
    const worker = createWebhookWorker({
      store: ctx.store,
      ...(ctx.clock ? { clock: ctx.clock } : {}),
      discordApiBaseUrl: ctx.settings.discordApiBaseUrl,
      redisUrl: ctx.settings.redisUrl,
      owner: ctx.workerId,
      log: ctx.logger,
      metrics: ctx.metrics,
      // WEBHOOK_RETRY_SCHEDULE_MS: the waits after each failed attempt, for webhooks without their own.
      ...(ctx.settings.retries.webhookScheduleMs
        ? { delivery: { defaultRetryDelaysMs: ctx.settings.retries.webhookScheduleMs } }
        : {}),
    });
    registerOutboxGauges(ctx.metrics, ctx.store.webhooks);
    try {
      await Promise.all([
        repairTriggersUntilDone({ store: ctx.store, scheduler: systemScheduler, logger: ctx.logger, signal }),
        worker.delivery.run({ signal }),
      ]);
    } finally {
      await worker.clientEvents?.close();
      await worker.rest?.close();
      await worker.close();
    }
  },
};
