import type { DiscordRest } from "@guildkit/discord-rest";
import {
  type ChannelWebhooks,
  createSpeedbump,
  type Delivery,
  type EventLog,
  fromGatewayDispatch,
  type MessageEvent,
  type ProxyLookup,
  type ProxyMemberStore,
  parseMessageEvent,
  routingChannelId,
  type Scheduler,
  type Speedbump,
  type SpeedbumpOptions,
  type SpeedbumpStore,
} from "@guildkit/pk-speedbump";

/**
 * The reference relay: a JSON-lines stream of gateway-like message events goes through the
 * PluralKit speedbump and member mapping, and what is delivered is forwarded to a Discord webhook
 * (the sink) — proxied messages under the PluralKit member's name and avatar, everything with
 * `allowed_mentions: { parse: [] }`. Edits and deletes of relayed messages are mirrored.
 *
 * Input lines are either the speedbump's own events (`{"type":"create", …}`, see
 * `parseMessageEvent`) or raw gateway dispatches (`{"t":"MESSAGE_CREATE","d":{…}}`). A thread's
 * parent is learnt from any event that names it (`parentId`, or `parent_id` in a dispatch) and from
 * `THREAD_CREATE` / `THREAD_UPDATE`, and applied to later events of the thread that do not.
 *
 * An event whose handling fails (the sink or the store) is retried with backoff, and the channel's
 * later events wait for it, so a channel's messages keep their order; after `retry.attempts` it is
 * dead-lettered: logged, and written to the event log (`relay.dead_letter`, the event in `data`).
 */

/** What the relay needs of the Discord client (`@guildkit/discord-rest`). */
export type RelayDiscord = Pick<
  DiscordRest,
  "getChannelWebhooks" | "executeWebhook" | "editWebhookMessage" | "deleteWebhookMessage" | "parseWebhookUrl"
>;

/** A minimal logger (pino's shape). */
export interface RelayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How an event whose handling failed is retried before it is dead-lettered. */
export interface RelayRetryOptions {
  /** Attempts in all, the first included (default 6). */
  attempts?: number;
  /** Wait before the second attempt (default 1,000 ms), doubling per attempt. */
  baseDelayMs?: number;
  /** Longest wait between two attempts (default 30,000 ms); an error's `retryAfterMs` may exceed it. */
  maxDelayMs?: number;
}

/** Options of {@link createRelay}. */
export interface RelayOptions {
  /** Both speedbump store ports (`store.speedbump` of `@guildkit/store-sqlite` / `-postgres`). */
  store: SpeedbumpStore & ProxyMemberStore;
  eventLog?: EventLog | null;
  discord: RelayDiscord;
  /** PluralKit lookups: `createPluralKitApi({ baseUrl, userAgent })`. */
  pluralkit: ProxyLookup;
  /** The sink: a webhook URL messages are forwarded to. */
  sinkWebhookUrl: string;
  speedbump?: SpeedbumpOptions;
  /** Retries of a failed event, in order per channel (defaults: 6 attempts, 1 s doubling to 30 s). */
  retry?: RelayRetryOptions;
  logger?: RelayLogger;
  /** Real time by default. */
  scheduler?: Scheduler;
  clock?: { now(): Date };
}

/** Counters of what the relay did. */
export interface RelayStats {
  lines: number;
  invalidLines: number;
  forwarded: number;
  edited: number;
  deleted: number;
  /** Retries of events whose handling failed. */
  retried: number;
  /** Events given up after every attempt failed (see the event log, `relay.dead_letter`). */
  deadLettered: number;
}

/** A running relay. */
export interface Relay {
  readonly speedbump: Speedbump;
  /** Source message id → the sink's message id, for messages relayed by this process. */
  readonly mirrored: ReadonlyMap<string, string>;
  /**
   * Handles one input line, after the earlier lines of its channel; resolves once the event is
   * handled or dead-lettered (never rejects). Invalid lines are counted and logged.
   */
  handleLine(line: string): Promise<void>;
  /**
   * Reads lines until the input ends or `signal` aborts, then waits for in-flight work; when the
   * input ended (not aborted) it also waits for pending holds to fall due.
   */
  run(lines: AsyncIterable<string>, signal?: AbortSignal): Promise<void>;
  /**
   * Stops the speedbump (pending holds stay in the store for the next start); events waiting for a
   * retry are dead-lettered at once.
   */
  stop(): Promise<void>;
  stats(): RelayStats;
}

/** A scheduler on real timers. */
export const realScheduler: Scheduler = {
  setTimer: (at, fn) => setTimeout(fn, Math.max(0, at.getTime() - Date.now())),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const MAX_CONTENT = 2_000;
const MAX_USERNAME = 80;

/** A webhook username Discord accepts: 1–80 characters, without "discord" or "clyde". */
export function sinkUsername(name: string): string {
  const cleaned = name
    .replace(/discord/gi, "d*scord")
    .replace(/clyde/gi, "cl*de")
    .trim();
  return (cleaned || "unknown").slice(0, MAX_USERNAME);
}

function sinkContent(delivery: { content: string; attachments: Record<string, unknown>[] }): string {
  const urls = delivery.attachments.map((a) => a.url).filter((u): u is string => typeof u === "string");
  const text = [delivery.content, ...urls].filter((s) => s.length > 0).join("\n");
  const content = text || "[no text]";
  return content.length > MAX_CONTENT ? `${content.slice(0, MAX_CONTENT - 1)}…` : content;
}

function messageIds(event: MessageEvent): string {
  return event.type === "delete_bulk" ? event.ids.join(",") : event.id;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Creates the relay (call `speedbump.start()` or just feed lines: the first event starts it). */
export function createRelay(options: RelayOptions): Relay {
  const { discord, logger } = options;
  const eventLog = options.eventLog ?? null;
  const scheduler = options.scheduler ?? realScheduler;
  const clock = options.clock ?? { now: () => new Date() };
  const retry = {
    attempts: options.retry?.attempts ?? 6,
    baseDelayMs: options.retry?.baseDelayMs ?? 1_000,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
  };
  const sink = discord.parseWebhookUrl(options.sinkWebhookUrl);
  const mirrored = new Map<string, string>();
  const threadParents = new Map<string, string>();
  /** Per channel: the tail of its events, so a retried event keeps the channel's order. */
  const channelTails = new Map<string, Promise<void>>();
  const closing = new AbortController();
  const stats: RelayStats = {
    lines: 0,
    invalidLines: 0,
    forwarded: 0,
    edited: 0,
    deleted: 0,
    retried: 0,
    deadLettered: 0,
  };

  const webhooks: ChannelWebhooks = {
    async list({ channelId, signal }) {
      const list = await discord.getChannelWebhooks({ channelId, ...(signal ? { signal } : {}) });
      return list.map((w) => ({ id: w.id, applicationId: w.application_id ?? null }));
    },
  };

  async function deliver(delivery: Delivery): Promise<void> {
    if (delivery.type === "create") {
      const { message, author } = delivery;
      let username: string;
      let avatarUrl: string | null;
      if (author.kind === "pluralkit") {
        username = author.identity.displayName;
        avatarUrl = author.identity.avatarUrl;
      } else if (author.kind === "webhook") {
        username = author.webhook.username;
        avatarUrl = author.webhook.avatarUrl;
      } else {
        username = author.user.globalName ?? author.user.username;
        avatarUrl = null;
      }
      const posted = await discord.executeWebhook({
        webhookId: sink.id,
        webhookToken: sink.token,
        wait: true,
        body: {
          content: sinkContent(message),
          username: sinkUsername(username),
          ...(avatarUrl ? { avatar_url: avatarUrl } : {}),
          allowed_mentions: { parse: [] },
        },
      });
      mirrored.set(message.id, posted.id);
      stats.forwarded++;
      return;
    }
    if (delivery.type === "update") {
      const target = mirrored.get(delivery.update.id);
      if (!target || delivery.update.content === undefined) return;
      await discord.editWebhookMessage({
        webhookId: sink.id,
        webhookToken: sink.token,
        messageId: target,
        body: {
          content: sinkContent({
            content: delivery.update.content,
            attachments: delivery.update.attachments ?? [],
          }),
          allowed_mentions: { parse: [] },
        },
      });
      stats.edited++;
      return;
    }
    const target = mirrored.get(delivery.messageId);
    if (!target) return;
    await discord.deleteWebhookMessage({ webhookId: sink.id, webhookToken: sink.token, messageId: target });
    mirrored.delete(delivery.messageId);
    stats.deleted++;
  }

  const speedbump = createSpeedbump({
    store: options.store,
    members: options.store,
    webhooks,
    lookup: options.pluralkit,
    clock,
    scheduler,
    deliver,
    eventLog,
    // A webhook message's author cannot be changed after posting (Discord edits content only), so
    // the resolved identity shows on the member's later messages; this one keeps the fallback.
    onIdentityResolved: (resolved) =>
      logger?.info(
        { messageId: resolved.messageId, memberKey: resolved.identity.key },
        "PluralKit identity resolved after an outage; the member's later messages carry it",
      ),
    ...(options.speedbump ? { options: options.speedbump } : {}),
  });

  function learnParent(threadId: unknown, parentId: unknown): void {
    if (typeof threadId === "string" && typeof parentId === "string" && threadId !== parentId) {
      threadParents.set(threadId, parentId);
    }
  }

  function toEvent(value: unknown): MessageEvent | null {
    if (value && typeof value === "object" && "t" in value && "d" in value) {
      const dispatch = value as { t: string; d: unknown };
      const d = (dispatch.d ?? {}) as { id?: unknown; channel_id?: unknown; parent_id?: unknown };
      if (dispatch.t === "THREAD_CREATE" || dispatch.t === "THREAD_UPDATE") {
        learnParent(d.id, d.parent_id);
        return null;
      }
      // Gateway messages do not name a thread's parent; a feed that knows it may add `parent_id`.
      learnParent(d.channel_id, d.parent_id);
      return fromGatewayDispatch(dispatch, { parentOf: (id) => threadParents.get(id) ?? null });
    }
    const event = parseMessageEvent(value);
    if (event.parentId) learnParent(event.channelId, event.parentId);
    const parentId = event.parentId ?? threadParents.get(event.channelId) ?? null;
    return parentId === event.parentId ? event : { ...event, parentId };
  }

  /** Waits `ms` on the relay's scheduler; false when the relay stops meanwhile. */
  function pause(ms: number): Promise<boolean> {
    if (closing.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onClose = () => {
        scheduler.clear(timer);
        resolve(false);
      };
      const timer = scheduler.setTimer(new Date(clock.now().getTime() + ms), () => {
        closing.signal.removeEventListener("abort", onClose);
        resolve(true);
      });
      closing.signal.addEventListener("abort", onClose, { once: true });
    });
  }

  async function deadLetter(event: MessageEvent, error: unknown, attempts: number): Promise<void> {
    stats.deadLettered++;
    const where = { type: event.type, messageId: messageIds(event), channelId: event.channelId, attempts };
    logger?.error(
      { err: error, ...where },
      "relay: gave up on an event (relay.dead_letter in the event log)",
    );
    await eventLog
      ?.append({
        kind: "relay.dead_letter",
        level: "error",
        message: `gave up relaying ${event.type} of message ${where.messageId} in channel ${event.channelId} after ${attempts} attempts (${describeError(error)}); re-feed data.event to relay it`,
        data: { event, attempts, error: describeError(error) },
      })
      .catch((logError: unknown) => logger?.warn({ err: logError }, "relay: writing a dead letter failed"));
  }

  /** Hands the event to the speedbump, retrying a failure with backoff; never rejects. */
  async function handleWithRetry(event: MessageEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await speedbump.handle(event);
        return;
      } catch (error) {
        const permanent = (error as { retryable?: unknown } | null)?.retryable === false;
        if (permanent || attempt >= retry.attempts || closing.signal.aborted) {
          await deadLetter(event, error, attempt);
          return;
        }
        const backoff = Math.min(retry.baseDelayMs * 2 ** (attempt - 1), retry.maxDelayMs);
        const retryAfter = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
        const delay = Math.max(backoff, typeof retryAfter === "number" ? retryAfter : 0);
        stats.retried++;
        logger?.warn(
          { err: error, type: event.type, messageId: messageIds(event), channelId: event.channelId, attempt },
          `relay: handling an event failed; retrying in ${delay} ms`,
        );
        if (!(await pause(delay))) {
          await deadLetter(event, error, attempt);
          return;
        }
      }
    }
  }

  /** Runs `task` after the earlier events of the channel (a thread with its parent). */
  function inChannelOrder(channelId: string, task: () => Promise<void>): Promise<void> {
    const run = (channelTails.get(channelId) ?? Promise.resolve()).then(task);
    channelTails.set(channelId, run);
    run.then(() => {
      if (channelTails.get(channelId) === run) channelTails.delete(channelId);
    });
    return run;
  }

  async function handleLine(line: string): Promise<void> {
    const text = line.trim();
    if (!text) return;
    stats.lines++;
    let event: MessageEvent | null;
    try {
      event = toEvent(JSON.parse(text));
    } catch (error) {
      stats.invalidLines++;
      logger?.warn({ err: error, line: text.slice(0, 200) }, "relay: skipped an invalid input line");
      return;
    }
    if (!event) return;
    // Never relay the sink's own messages back (an echo loop when the sink is in a watched channel).
    if (event.type === "create" && event.webhookId === sink.id) return;
    await inChannelOrder(routingChannelId(event), () => handleWithRetry(event));
  }

  return {
    speedbump,
    mirrored,
    handleLine,
    async run(lines, signal) {
      signal?.addEventListener("abort", () => closing.abort(), { once: true });
      const pending = new Set<Promise<void>>();
      for await (const line of lines) {
        if (signal?.aborted) break;
        // Channels are independent: do not wait for one channel's sink call before the next line.
        const task = handleLine(line);
        pending.add(task);
        task.then(() => pending.delete(task));
      }
      await Promise.all(pending);
      // The input ended: let the holds fall due (a stop leaves them in the store for the next start).
      while (speedbump.stats().pendingHolds > 0 && !signal?.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await speedbump.settled();
    },
    async stop() {
      closing.abort();
      await speedbump.stop();
    },
    stats: () => ({ ...stats }),
  };
}
