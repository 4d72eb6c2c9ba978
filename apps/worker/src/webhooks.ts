import { setTimeout as delay } from "node:timers/promises";
import { createDiscordRest, type DiscordRest } from "@guildkit/discord-rest";
import type { AppStore } from "@guildkit/runtime";
import {
  type Clock,
  createWebhookDelivery,
  type Scheduler,
  type WebhookDelivery,
  type WebhookDeliveryOptions,
  type WebhookSender,
} from "@guildkit/webhook-templates";
import type { WorkerTask } from "./context";

const systemClock: Clock = { now: () => new Date() };
const timers: Scheduler = {
  sleep: (ms, opts) =>
    delay(Math.max(0, ms), undefined, opts?.signal ? { signal: opts.signal } : undefined).then(
      () => undefined,
      () => undefined,
    ),
};

/** What the webhook worker needs from the process. */
export interface WebhookWorkerDeps {
  store: Pick<AppStore, "webhooks" | "eventLog">;
  /** Where Discord is (`DISCORD_API_BASE_URL`; a simulator in tests). */
  discordApiBaseUrl: string;
  /** Lease owner (the worker id). */
  owner: string;
  clock?: Clock;
  scheduler?: Scheduler;
  /** The Discord client to post with; by default one is built for `discordApiBaseUrl`. */
  sender?: WebhookSender;
  /** Per-attempt timeout of a post (default 15 s). */
  timeoutMs?: number;
  /** Posts per second across all webhooks (default 45: under Discord's 50/s per IP). */
  rps?: number;
  /** Tuning of the delivery worker (lease, batch, concurrency, idle wait). */
  delivery?: Partial<Omit<WebhookDeliveryOptions, "outbox" | "sender" | "clock" | "scheduler" | "owner">>;
}

/** The assembled webhook worker. */
export interface WebhookWorker {
  delivery: WebhookDelivery;
  /** The Discord client, when this worker built it. */
  rest: DiscordRest | null;
}

/**
 * Wires webhook delivery: the store's outbox, and a Discord client that posts with `wait=true`,
 * waits out per-webhook buckets and 429s itself, and does **not** retry a timed-out post (the core
 * reports it as a possible duplicate and retries on its schedule instead).
 */
export function createWebhookWorker(deps: WebhookWorkerDeps): WebhookWorker {
  const rest =
    deps.sender === undefined
      ? createDiscordRest({
          token: "webhook-only",
          apiBaseUrl: deps.discordApiBaseUrl,
          rps: deps.rps ?? 45,
          retries: 0,
          timeoutMs: deps.timeoutMs ?? 15_000,
        })
      : null;
  const sender: WebhookSender = deps.sender ?? (rest as DiscordRest);
  const delivery = createWebhookDelivery({
    outbox: deps.store.webhooks,
    sender,
    clock: deps.clock ?? systemClock,
    scheduler: deps.scheduler ?? timers,
    log: deps.store.eventLog,
    owner: deps.owner,
    webhookBaseUrl: deps.discordApiBaseUrl,
    ...deps.delivery,
  });
  return { delivery, rest };
}

/**
 * The worker task: repairs the triggers at start (no orphan row, no orphan trigger), then delivers
 * until shutdown. Postgres wakes it with LISTEN/NOTIFY; SQLite is polled every 50 ms.
 */
export const webhookDeliveryTask: WorkerTask = {
  name: "webhook-delivery",
  async run(ctx, signal) {
    const report = await ctx.store.webhooks.repairTriggers();
    if (report.dropped.length > 0 || report.disabled.length > 0) {
      ctx.logger.warn({ ...report }, "webhook triggers repaired at start-up");
    }
    const worker = createWebhookWorker({
      store: ctx.store,
      discordApiBaseUrl: ctx.settings.discordApiBaseUrl,
      owner: ctx.workerId,
    });
    await worker.delivery.run({ signal });
  },
};
