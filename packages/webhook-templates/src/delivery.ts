import {
  type AttemptOutcome,
  classifySendError,
  type DeliveryDecision,
  decideDelivery,
} from "./delivery-policy";
import { TemplateError } from "./errors";
import { buildWebhookMessage } from "./message";
import { withOutcomeRetries } from "./outcome-retries";
import type {
  ClaimedEvent,
  Clock,
  Completion,
  EventLog,
  EventLogEntry,
  Scheduler,
  WebhookOutbox,
  WebhookSender,
} from "./ports";
import { parseRowJson, type RowImage } from "./row-data";
import { type CompiledTemplate, compileTemplate } from "./template";
import { parseWebhookUrl, type WebhookTarget } from "./webhook-url";

/** What {@link createWebhookDelivery} needs. */
export interface WebhookDeliveryOptions {
  outbox: WebhookOutbox;
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
}

/** Counts of one delivery round. */
export interface DeliveryReport {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  disabledWebhooks: number;
  /** Events given back unattempted (their webhook stopped on a failure, or the lease ran short). */
  released: number;
}

/** The delivery worker. */
export interface WebhookDelivery {
  /** Claims one batch and delivers it; resolves when every claimed event is settled. */
  deliverOnce(opts?: { signal?: AbortSignal }): Promise<DeliveryReport>;
  /**
   * Delivers until `signal` aborts: claims, delivers, and when nothing is due waits for the outbox
   * to signal new events (at most `idleWaitMs`). In-flight sends finish before it resolves.
   */
  run(opts: { signal: AbortSignal }): Promise<void>;
}

const LEASE_MARGIN = 0.8;

/** One round's counts, and the signal that stops its retries (shutdown). */
interface Round {
  report: DeliveryReport;
  signal: AbortSignal | undefined;
}

/**
 * Creates the delivery worker: it claims outbox events with leases, renders each from its stored
 * row data, posts it with `wait=true`, and records the outcome by the delivery policy — keeping each
 * webhook's events in order (one after another; a failure stops that webhook's batch).
 */
export function createWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const leaseMs = options.leaseMs ?? 120_000;
  const batchSize = options.batchSize ?? 100;
  const perWebhook = options.perWebhook ?? 10;
  const concurrency = options.concurrency ?? 16;
  const idleWaitMs = options.idleWaitMs ?? 1_000;
  const { sender, clock, owner } = options;
  // Outcomes are written again while the lease lasts when the database blinks (see outcome-retries).
  const outbox = withOutcomeRetries(options.outbox, { clock, scheduler: options.scheduler });
  const templates = new Map<string, CompiledTemplate>();

  const log = async (entry: EventLogEntry): Promise<void> => {
    try {
      await options.log?.append(entry);
    } catch {
      // The event log is best effort: a failing log never stops delivery.
    }
  };

  const templateFor = (event: ClaimedEvent): CompiledTemplate => {
    const key = `${event.operation}\u0000${event.webhook.template}`;
    let compiled = templates.get(key);
    if (!compiled) {
      compiled = compileTemplate(event.webhook.template, { columns: null, operation: event.operation });
      if (templates.size > 1000) templates.clear();
      templates.set(key, compiled);
    }
    return compiled;
  };

  const record = async (event: ClaimedEvent, completion: Completion, round: Round): Promise<void> => {
    await outbox.complete(event.id, owner, completion, { signal: round.signal });
  };

  /** Sends one event; returns true when the webhook's next event may follow. */
  const deliver = async (event: ClaimedEvent, round: Round): Promise<boolean> => {
    const { report } = round;
    const base = { webhookId: event.webhookId, eventId: event.id };
    let target: WebhookTarget;
    try {
      target = parseWebhookUrl(event.webhook.url, { baseUrl: options.webhookBaseUrl ?? null });
    } catch (err) {
      const reason = `the stored webhook URL is invalid: ${(err as Error).message}`;
      await disable(event, reason, round);
      return false;
    }

    let row: RowImage;
    let compiled: CompiledTemplate;
    try {
      compiled = templateFor(event);
      row = { old: parseRowJson(event.oldRowJson), new: parseRowJson(event.newRowJson) };
    } catch (err) {
      const reason =
        err instanceof TemplateError
          ? `the template does not fit this ${event.operation} event: ${err.message}`
          : `the stored row data is unreadable: ${(err as Error).message}`;
      await dead(event, reason, event.possibleDuplicate, round);
      return true;
    }

    const message = buildWebhookMessage({
      template: compiled,
      row,
      operation: event.operation,
      username: event.webhook.username,
      avatarUrl: event.webhook.avatarUrl,
      mentionUserColumns: event.webhook.mentionUserColumns,
    });
    if (message.empty) {
      await dead(
        event,
        "the template rendered an empty message (Discord refuses empty content)",
        false,
        round,
      );
      return true;
    }

    let outcome: AttemptOutcome;
    try {
      const sent = await sender.executeWebhook({
        webhookId: target.webhookId,
        webhookToken: target.token,
        threadId: target.threadId,
        body: message.body,
        wait: true,
      });
      outcome = { kind: "delivered", messageId: sent?.id ?? null };
    } catch (err) {
      outcome = classifySendError(err);
    }
    const decision: DeliveryDecision = decideDelivery(outcome, event.attempts);
    const now = clock.now();

    switch (decision.action) {
      case "delivered": {
        await record(
          event,
          {
            state: "delivered",
            messageId: decision.messageId,
            at: now,
            possibleDuplicate: event.possibleDuplicate,
          },
          round,
        );
        report.delivered++;
        if (message.truncated) {
          await log({
            kind: "webhook.truncated",
            level: "info",
            message: `webhook ${event.webhookId}: event ${event.id} was longer than 2,000 characters and was cut`,
            data: base,
          });
        }
        if (event.possibleDuplicate) {
          await log({
            kind: "webhook.possible_duplicate",
            level: "warn",
            message: `webhook ${event.webhookId}: event ${event.id} was delivered after an attempt that timed out; Discord may show it twice`,
            data: { ...base, messageId: decision.messageId },
          });
        }
        return true;
      }
      case "retry": {
        const possibleDuplicate = event.possibleDuplicate || decision.possibleDuplicate;
        await record(
          event,
          {
            state: "retry",
            nextAttemptAt: new Date(now.getTime() + decision.delayMs),
            countsAsAttempt: decision.countsAsAttempt,
            error: decision.error,
            possibleDuplicate,
          },
          round,
        );
        report.retried++;
        if (outcome.kind !== "rate_limited") {
          await log({
            kind: decision.possibleDuplicate ? "webhook.possible_duplicate" : "webhook.retry",
            level: "warn",
            message: decision.possibleDuplicate
              ? `webhook ${event.webhookId}: event ${event.id} has an unknown outcome (${decision.error}); it will be sent again and may appear twice`
              : `webhook ${event.webhookId}: event ${event.id} failed (${decision.error}); retrying in ${Math.round(decision.delayMs / 1000)} s`,
            data: {
              ...base,
              attempts: event.attempts + (decision.countsAsAttempt ? 1 : 0),
              delayMs: decision.delayMs,
            },
          });
        }
        return false;
      }
      case "dead":
        await dead(event, decision.reason, event.possibleDuplicate || decision.possibleDuplicate, round);
        return true;
      case "disable_webhook":
        await disable(event, decision.reason, round);
        return false;
    }
  };

  const dead = async (event: ClaimedEvent, reason: string, possibleDuplicate: boolean, round: Round) => {
    await record(event, { state: "dead", reason, at: clock.now(), possibleDuplicate }, round);
    round.report.dead++;
    await log({
      kind: "webhook.dead",
      level: "error",
      message: `webhook ${event.webhookId}: event ${event.id} dead-lettered: ${reason}`,
      data: { webhookId: event.webhookId, eventId: event.id, reason },
    });
  };

  const disable = async (event: ClaimedEvent, reason: string, { report }: Round) => {
    const count = await outbox.disableWebhook(event.webhookId, reason);
    report.disabledWebhooks++;
    report.dead += count;
    await log({
      kind: "webhook.disabled",
      level: "error",
      message: `webhook ${event.webhookId} disabled: ${reason} (${count} pending event(s) dead-lettered)`,
      data: { webhookId: event.webhookId, eventId: event.id, reason, deadLettered: count },
    });
  };

  const deliverRun = async (events: ClaimedEvent[], claimedAt: number, round: Round) => {
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as ClaimedEvent;
      const leaseShort = clock.now().getTime() - claimedAt > leaseMs * LEASE_MARGIN;
      const proceed = leaseShort ? false : await deliver(event, round);
      if (leaseShort || !proceed) {
        const rest = events.slice(leaseShort ? i : i + 1).map((e) => e.id);
        if (rest.length > 0) {
          await outbox.release(rest, owner, { signal: round.signal });
          round.report.released += rest.length;
        }
        return;
      }
    }
  };

  const deliverOnce = async (opts: { signal?: AbortSignal } = {}): Promise<DeliveryReport> => {
    const report: DeliveryReport = {
      claimed: 0,
      delivered: 0,
      retried: 0,
      dead: 0,
      disabledWebhooks: 0,
      released: 0,
    };
    const now = clock.now();
    const events = await outbox.claim(
      { owner, leaseMs, limit: batchSize, perWebhook, now },
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
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let run = queue.shift(); run; run = queue.shift()) {
        await deliverRun(run, claimedAt, round);
      }
    });
    // Every run settles before the round ends (a failed one must not start the next claim while
    // others are still posting), then the first failure is the round's.
    const failed = (await Promise.allSettled(workers)).find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    return report;
  };

  const run = async ({ signal }: { signal: AbortSignal }): Promise<void> => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const report = await deliverOnce({ signal });
        failures = 0;
        if (report.claimed === 0 && !signal.aborted) {
          await outbox.waitForEvents(
            options.pollIntervalMs === undefined
              ? { timeoutMs: idleWaitMs }
              : { timeoutMs: idleWaitMs, pollIntervalMs: options.pollIntervalMs },
            { signal },
          );
        }
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        await log({
          kind: "webhook.worker_error",
          level: "error",
          message: `webhook delivery round failed: ${(err as Error).message}`,
          data: { failures },
        });
        await options.scheduler
          .sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), { signal })
          .catch(() => {});
      }
    }
  };

  return { deliverOnce, run };
}
