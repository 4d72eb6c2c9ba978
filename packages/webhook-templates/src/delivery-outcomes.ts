import type { AttemptOutcome, DeliveryDecision } from "./delivery-policy";
import type { ClaimedEvent, Clock, EventLog, EventLogEntry, WebhookOutbox } from "./ports";

/** Counts of one delivery round. */
export interface DeliveryReport {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  disabledWebhooks: number;
  /** Events given back unattempted (their webhook stopped on a failure, or the lease ran short). */
  released: number;
  /** Events not sent because their channel's message budget was spent: each waits for a free message. */
  held: number;
}

/** One round's counts, and the signal that stops its retries (shutdown). */
export interface Round {
  report: DeliveryReport;
  signal: AbortSignal | undefined;
  /** Events dead-lettered this round, per webhook, with the last reason (for the round's alert). */
  dead?: Map<string, { count: number; reason: string }>;
}

/** Notes `count` dead events of a webhook in the round (the `webhook.events_dead` alert's input). */
function noteDead(round: Round, webhookId: string, count: number, reason: string): void {
  if (count <= 0) return;
  round.dead ??= new Map();
  const seen = round.dead.get(webhookId);
  round.dead.set(webhookId, { count: (seen?.count ?? 0) + count, reason });
}

/** What {@link createOutcomeRecorder} writes to. */
export interface OutcomeRecorderDeps {
  outbox: WebhookOutbox;
  clock: Clock;
  owner: string;
  log?: EventLog | null;
}

/**
 * Writes how an attempt ended — the outbox row, the round's counts, the event log — for each
 * decision of the delivery policy. Every `apply`/`dead`/`disable` says whether the webhook's next
 * event may follow (`false`: its run stops and the rest is released).
 */
export function createOutcomeRecorder(deps: OutcomeRecorderDeps) {
  const { outbox, clock, owner } = deps;

  const log = async (entry: EventLogEntry): Promise<void> => {
    try {
      await deps.log?.append(entry);
    } catch {
      // The event log is best effort: a failing log never stops delivery.
    }
  };

  const dead = async (event: ClaimedEvent, reason: string, possibleDuplicate: boolean, round: Round) => {
    await outbox.complete(
      event.id,
      owner,
      { state: "dead", reason, at: clock.now(), possibleDuplicate },
      { signal: round.signal },
    );
    round.report.dead++;
    noteDead(round, event.webhookId, 1, reason);
    await log({
      kind: "webhook.dead",
      level: "error",
      message: `webhook ${event.webhookId}: event ${event.id} dead-lettered: ${reason}`,
      data: { webhookId: event.webhookId, eventId: event.id, reason },
    });
    return true;
  };

  const disable = async (event: ClaimedEvent, reason: string, round: Round) => {
    const { report } = round;
    const count = await outbox.disableWebhook(event.webhookId, reason);
    report.disabledWebhooks++;
    report.dead += count;
    noteDead(round, event.webhookId, count, reason);
    await log({
      kind: "webhook.disabled",
      level: "error",
      message: `webhook ${event.webhookId} disabled: ${reason} (${count} pending event(s) dead-lettered)`,
      data: { webhookId: event.webhookId, eventId: event.id, reason, deadLettered: count },
    });
    return false;
  };

  const delivered = async (
    event: ClaimedEvent,
    messageId: string | null,
    truncated: boolean,
    round: Round,
  ) => {
    const base = { webhookId: event.webhookId, eventId: event.id };
    await outbox.complete(
      event.id,
      owner,
      { state: "delivered", messageId, at: clock.now(), possibleDuplicate: event.possibleDuplicate },
      { signal: round.signal },
    );
    round.report.delivered++;
    if (truncated) {
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
        data: { ...base, messageId },
      });
    }
    return true;
  };

  const retry = async (
    event: ClaimedEvent,
    decision: Extract<DeliveryDecision, { action: "retry" }>,
    outcome: AttemptOutcome,
    round: Round,
  ) => {
    await outbox.complete(
      event.id,
      owner,
      {
        state: "retry",
        nextAttemptAt: new Date(clock.now().getTime() + decision.delayMs),
        countsAsAttempt: decision.countsAsAttempt,
        error: decision.error,
        possibleDuplicate: event.possibleDuplicate || decision.possibleDuplicate,
      },
      { signal: round.signal },
    );
    round.report.retried++;
    if (outcome.kind === "rate_limited") return false;
    await log({
      kind: decision.possibleDuplicate ? "webhook.possible_duplicate" : "webhook.retry",
      level: "warn",
      message: decision.possibleDuplicate
        ? `webhook ${event.webhookId}: event ${event.id} has an unknown outcome (${decision.error}); it will be sent again and may appear twice`
        : `webhook ${event.webhookId}: event ${event.id} failed (${decision.error}); retrying in ${Math.round(decision.delayMs / 1000)} s`,
      data: {
        webhookId: event.webhookId,
        eventId: event.id,
        attempts: event.attempts + (decision.countsAsAttempt ? 1 : 0),
        delayMs: decision.delayMs,
      },
    });
    return false;
  };

  /** Leaves an event pending, unattempted, until its channel has a message free (`waitMs`). */
  const hold = async (event: ClaimedEvent, waitMs: number, channelKey: string, round: Round) => {
    await outbox.complete(
      event.id,
      owner,
      {
        state: "retry",
        nextAttemptAt: new Date(clock.now().getTime() + waitMs),
        countsAsAttempt: false,
        error: `held for the channel's message limit (${channelKey}, ${Math.ceil(waitMs / 1000)} s)`,
        possibleDuplicate: event.possibleDuplicate,
      },
      { signal: round.signal },
    );
    round.report.held++;
    return false;
  };

  /**
   * The round's "events dead" alert: one `webhook.events_dead` entry (level error) per webhook that
   * had events dead-lettered in the round, with the count and the last reason.
   */
  const alertDead = async (round: Round) => {
    for (const [webhookId, { count, reason }] of round.dead ?? []) {
      await log({
        kind: "webhook.events_dead",
        level: "error",
        message: `webhook ${webhookId}: ${count} event(s) dead; last reason: ${reason}. Fix the cause, then redeliver them (guildkit webhooks redeliver)`,
        data: { webhookId, count, reason },
      });
    }
  };

  return {
    log,
    dead,
    disable,
    alertDead,
    hold,
    /** Records the policy's decision after a post; `truncated`: the message was cut to fit. */
    apply(
      event: ClaimedEvent,
      decision: DeliveryDecision,
      outcome: AttemptOutcome,
      truncated: boolean,
      round: Round,
    ): Promise<boolean> {
      switch (decision.action) {
        case "delivered":
          return delivered(event, decision.messageId, truncated, round);
        case "retry":
          return retry(event, decision, outcome, round);
        case "dead":
          return dead(event, decision.reason, event.possibleDuplicate || decision.possibleDuplicate, round);
        case "disable_webhook":
          return disable(event, decision.reason, round);
      }
    },
  };
}
