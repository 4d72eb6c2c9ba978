/**
 * The ports of webhook delivery: what it needs from a store, from Discord and from the process.
 * `@guildkit/store-sqlite` / `@guildkit/store-postgres` implement the store ports,
 * `@guildkit/discord-rest`'s client satisfies {@link WebhookSender} as it is; tests use memory.
 *
 * Conventions: ids are decimal strings whatever the database stores; absence is `null`; every I/O
 * method accepts `{ signal }`.
 */

import type { IoOptions } from "@guildkit/core";
import type { EmbedTemplate } from "./embed";
import type { ExecuteWebhookBody } from "./message";
import type { Operation } from "./operation";

export type { Clock, EventLog, EventLogEntry, IoOptions, Scheduler } from "@guildkit/core";

/** The parts of a webhook definition delivery needs, as stored. */
export interface DeliveryWebhook {
  id: string;
  /** The Discord webhook URL (holds the token: never log it). */
  url: string;
  template: string;
  username: string | null;
  avatarUrl: string | null;
  mentionUserColumns: readonly string[];
  /** The webhook's own retry waits (see `RetryPolicy`); absent or `null`: the default schedule. */
  retryDelaysMs?: readonly number[] | null;
  /** The webhook's give-up age in ms (see `RetryPolicy`); absent or `null`: none. */
  giveUpAfterMs?: number | null;
  /** Each event renders as this embed (see `EmbedTemplate`); absent or `null`: a text message. */
  embed?: EmbedTemplate | null;
  /** Up to this many events claimed together go out as one message, one embed each (2–10); absent or `null`: one per message. */
  coalesce?: number | null;
}

/** An outbox event claimed for delivery, with its webhook. */
export interface ClaimedEvent {
  /** Stable event id (the outbox row id), the same across retries. */
  id: string;
  webhookId: string;
  operation: Operation;
  /** The old row image as the trigger stored it (JSON text), `null` for INSERT. */
  oldRowJson: string | null;
  /** The new row image as the trigger stored it (JSON text), `null` for DELETE. */
  newRowJson: string | null;
  createdAt: Date;
  /** Counted attempts so far. */
  attempts: number;
  /** An earlier attempt timed out: Discord may already show this message. */
  possibleDuplicate: boolean;
  webhook: DeliveryWebhook;
}

/**
 * How an attempt ended, as recorded by {@link WebhookOutbox.complete}.
 * - `delivered`: state → delivered, message id and time stored, lease cleared.
 * - `retry`: stays pending until `nextAttemptAt`; `attempts` + 1 when `countsAsAttempt`; `error`
 *   kept as the last error; `possibleDuplicate` sticks once true; lease cleared.
 * - `dead`: state → dead with `reason`; lease cleared.
 */
export type Completion =
  | { state: "delivered"; messageId: string | null; at: Date; possibleDuplicate: boolean }
  | {
      state: "retry";
      nextAttemptAt: Date;
      countsAsAttempt: boolean;
      error: string;
      possibleDuplicate: boolean;
    }
  | { state: "dead"; reason: string; at: Date; possibleDuplicate: boolean };

/** The outbox as the delivery worker uses it. */
export interface WebhookOutbox {
  /**
   * Claims due events with a lease, following the ordering rule of `selectClaimable`: per webhook,
   * the oldest pending event and up to `perWebhook - 1` after it, only when the oldest is neither
   * leased by a live worker nor waiting for a retry; enabled webhooks only; `limit` events in all,
   * oldest head first. An expired lease is claimable again. Returned events are in id order within
   * each webhook.
   */
  claim(
    opts: { owner: string; leaseMs: number; limit: number; perWebhook: number; now: Date },
    io?: IoOptions,
  ): Promise<ClaimedEvent[]>;
  /**
   * Records how an attempt ended. Applies only while the event is pending; `retry` and `dead` only
   * while `owner` still holds the lease. Returns whether it applied.
   */
  complete(eventId: string, owner: string, completion: Completion, io?: IoOptions): Promise<boolean>;
  /** Gives leases back untouched (events claimed but not attempted). */
  release(eventIds: readonly string[], owner: string, io?: IoOptions): Promise<void>;
  /**
   * Disables a webhook with `reason` — its trigger dropped in the same transaction — and
   * dead-letters all its pending events with that reason. Returns how many were dead-lettered.
   */
  disableWebhook(webhookId: string, reason: string, io?: IoOptions): Promise<number>;
  /**
   * Resolves when new events may be waiting or after `timeoutMs`, whichever comes first; early when
   * the signal aborts. The stores wait on the {@link OutboxWakeups} their factory gave them
   * (Postgres: a NOTIFY on the outbox channel; SQLite: a poll every `pollIntervalMs` — default 50 —
   * found a due event).
   */
  waitForEvents(opts: { timeoutMs: number; pollIntervalMs?: number }, io?: IoOptions): Promise<void>;
}

/**
 * Posts a message through a Discord webhook with `wait=true` and returns the stored message.
 * `@guildkit/discord-rest`'s `createDiscordRest(…)` client satisfies this port when built with
 * `retries: WEBHOOK_SENDER_RETRIES` (0).
 *
 * **One attempt per call.** A sender must never post the same message again by itself after a
 * timeout, a 5xx or a dropped connection: delivery counts attempts, spaces retries on its schedule
 * and marks a timed-out post as a possible duplicate, and a hidden re-post would duplicate messages
 * without that record. Waiting out a 429 (or a bucket) and then sending is allowed: Discord did not
 * take the message. Failures are thrown as errors of `@guildkit/core`'s contract
 * (`isRetryableError`: `status`, `code`, `retryAfterMs`), or as timeouts / aborts / errno errors,
 * which {@link classifySendError} reads.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export interface WebhookSender {
  executeWebhook(input: {
    webhookId: string;
    /** Secret: never logged. */
    webhookToken: string;
    threadId?: string | null;
    body: ExecuteWebhookBody;
    wait: true;
    signal?: AbortSignal;
  }): Promise<{ id: string }>;
}

/**
 * The retries a Discord client used as the {@link WebhookSender} is built with: none (see the port's
 * "one attempt per call"). Delivery's duplicate accounting depends on it:
 * `createDiscordRest({ …, retries: WEBHOOK_SENDER_RETRIES })`.
 */
export const WEBHOOK_SENDER_RETRIES = 0;
