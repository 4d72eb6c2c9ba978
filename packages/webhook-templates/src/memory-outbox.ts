import { compareIds, selectClaimable } from "./delivery-policy";
import type { Operation } from "./operation";
import type { OutboxState } from "./outbox-schema";
import type {
  ClaimedEvent,
  Clock,
  Completion,
  DeliveryWebhook,
  IoOptions,
  Scheduler,
  WebhookOutbox,
} from "./ports";
import { type RowData, stringifyRowJson } from "./row-data";

/** An outbox row as the memory outbox keeps it (the same fields as the SQL outbox). */
export interface MemoryOutboxEvent {
  id: string;
  webhookId: string;
  operation: Operation;
  oldRowJson: string | null;
  newRowJson: string | null;
  createdAt: Date;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  messageId: string | null;
  possibleDuplicate: boolean;
  lastError: string | null;
  deadReason: string | null;
  deliveredAt: Date | null;
}

/** A webhook as the memory outbox keeps it. */
export interface MemoryWebhook extends DeliveryWebhook {
  enabled: boolean;
  disabledReason: string | null;
}

/** The memory outbox: the {@link WebhookOutbox} port plus what a test needs to feed and inspect it. */
export interface MemoryOutbox extends WebhookOutbox {
  readonly webhooks: Map<string, MemoryWebhook>;
  readonly events: MemoryOutboxEvent[];
  /** Adds (or replaces) a webhook, enabled unless said otherwise. */
  addWebhook(webhook: DeliveryWebhook & { enabled?: boolean }): void;
  /** Appends an event as a trigger would (ignored when the webhook is disabled); returns its id. */
  enqueue(event: {
    webhookId: string;
    operation: Operation;
    old?: RowData | null;
    new?: RowData | null;
  }): string | null;
}

/**
 * An in-memory {@link WebhookOutbox} following the same rules as the SQL stores (ordering rule,
 * leases, completion fencing). For tests and as a reference implementation of the port.
 */
export function createMemoryOutbox(deps: { clock: Clock; scheduler: Scheduler }): MemoryOutbox {
  const webhooks = new Map<string, MemoryWebhook>();
  const events: MemoryOutboxEvent[] = [];
  let nextId = 1;
  let wake: (() => void) | null = null;

  const find = (id: string) => events.find((e) => e.id === id) ?? null;
  /** Whether a claim now would lease an event (the SQL stores' `hasDueEvents`). */
  const due = () =>
    selectClaimable(
      events.filter((e) => webhooks.get(e.webhookId)?.enabled),
      { now: deps.clock.now(), limit: 1, perWebhook: 1 },
    ).length > 0;

  return {
    webhooks,
    events,
    addWebhook(webhook) {
      webhooks.set(webhook.id, { ...webhook, enabled: webhook.enabled ?? true, disabledReason: null });
    },
    enqueue(event) {
      const webhook = webhooks.get(event.webhookId);
      if (!webhook?.enabled) return null;
      const id = String(nextId++);
      events.push({
        id,
        webhookId: event.webhookId,
        operation: event.operation,
        oldRowJson: event.old ? stringifyRowJson(event.old) : null,
        newRowJson: event.new ? stringifyRowJson(event.new) : null,
        createdAt: deps.clock.now(),
        state: "pending",
        attempts: 0,
        nextAttemptAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        messageId: null,
        possibleDuplicate: false,
        lastError: null,
        deadReason: null,
        deliveredAt: null,
      });
      wake?.();
      return id;
    },
    async claim(opts) {
      const enabled = events.filter((e) => webhooks.get(e.webhookId)?.enabled);
      const chosen = selectClaimable(enabled, opts);
      const expires = new Date(opts.now.getTime() + opts.leaseMs);
      const out: ClaimedEvent[] = [];
      for (const c of chosen.sort((a, b) => compareIds(a.id, b.id))) {
        const e = find(c.id) as MemoryOutboxEvent;
        e.leaseOwner = opts.owner;
        e.leaseExpiresAt = expires;
        const w = webhooks.get(e.webhookId) as MemoryWebhook;
        out.push({
          id: e.id,
          webhookId: e.webhookId,
          operation: e.operation,
          oldRowJson: e.oldRowJson,
          newRowJson: e.newRowJson,
          createdAt: e.createdAt,
          attempts: e.attempts,
          possibleDuplicate: e.possibleDuplicate,
          webhook: {
            id: w.id,
            url: w.url,
            template: w.template,
            username: w.username,
            avatarUrl: w.avatarUrl,
            mentionUserColumns: w.mentionUserColumns,
            retryDelaysMs: w.retryDelaysMs ?? null,
            giveUpAfterMs: w.giveUpAfterMs ?? null,
            embed: w.embed ?? null,
            coalesce: w.coalesce ?? null,
          },
        });
      }
      return out;
    },
    async complete(eventId: string, owner: string, completion: Completion) {
      const e = find(eventId);
      if (e?.state !== "pending") return false;
      if (completion.state !== "delivered" && e.leaseOwner !== owner) return false;
      e.leaseOwner = null;
      e.leaseExpiresAt = null;
      e.possibleDuplicate = e.possibleDuplicate || completion.possibleDuplicate;
      if (completion.state === "delivered") {
        e.state = "delivered";
        e.messageId = completion.messageId;
        e.deliveredAt = completion.at;
      } else if (completion.state === "retry") {
        e.nextAttemptAt = completion.nextAttemptAt;
        e.lastError = completion.error;
        if (completion.countsAsAttempt) e.attempts++;
      } else {
        e.state = "dead";
        e.deadReason = completion.reason;
      }
      return true;
    },
    async release(eventIds: readonly string[], owner: string) {
      for (const id of eventIds) {
        const e = find(id);
        if (e && e.leaseOwner === owner) {
          e.leaseOwner = null;
          e.leaseExpiresAt = null;
        }
      }
    },
    async disableWebhook(webhookId: string, reason: string) {
      const w = webhooks.get(webhookId);
      if (w) {
        w.enabled = false;
        w.disabledReason = reason;
      }
      let count = 0;
      for (const e of events) {
        if (e.webhookId === webhookId && e.state === "pending") {
          e.state = "dead";
          e.deadReason = reason;
          e.leaseOwner = null;
          e.leaseExpiresAt = null;
          count++;
        }
      }
      return count;
    },
    async waitForEvents(opts: { timeoutMs: number }, io: IoOptions = {}) {
      // Like the SQL stores: an event due now ends the wait at once, an aborted signal too.
      if (io.signal?.aborted || due()) return;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      io.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        await Promise.race([
          woken,
          deps.scheduler.sleep(opts.timeoutMs, { signal: controller.signal }).catch(() => {}),
        ]);
      } finally {
        controller.abort();
        io.signal?.removeEventListener("abort", onAbort);
        wake = null;
      }
    },
  };
}
