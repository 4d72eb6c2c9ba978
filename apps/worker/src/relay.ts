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
 * `parseMessageEvent`) or raw gateway dispatches (`{"t":"MESSAGE_CREATE","d":{…}}`); a
 * `THREAD_CREATE` dispatch teaches the relay a thread's parent.
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
}

/** A running relay. */
export interface Relay {
  readonly speedbump: Speedbump;
  /** Source message id → the sink's message id, for messages relayed by this process. */
  readonly mirrored: ReadonlyMap<string, string>;
  /** Handles one input line; invalid lines are counted and logged, not thrown. */
  handleLine(line: string): Promise<void>;
  /**
   * Reads lines until the input ends or `signal` aborts, then waits for in-flight work; when the
   * input ended (not aborted) it also waits for pending holds to fall due.
   */
  run(lines: AsyncIterable<string>, signal?: AbortSignal): Promise<void>;
  /** Stops the speedbump (pending holds stay in the store for the next start). */
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

/** Creates the relay (call `speedbump.start()` or just feed lines: the first event starts it). */
export function createRelay(options: RelayOptions): Relay {
  const { discord, logger } = options;
  const sink = discord.parseWebhookUrl(options.sinkWebhookUrl);
  const mirrored = new Map<string, string>();
  const threadParents = new Map<string, string>();
  const stats: RelayStats = { lines: 0, invalidLines: 0, forwarded: 0, edited: 0, deleted: 0 };

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
    clock: options.clock ?? { now: () => new Date() },
    scheduler: options.scheduler ?? realScheduler,
    deliver,
    eventLog: options.eventLog ?? null,
    onIdentityResolved: (resolved) =>
      logger?.info(
        { messageId: resolved.messageId, memberKey: resolved.identity.key },
        "PluralKit identity resolved after an outage",
      ),
    ...(options.speedbump ? { options: options.speedbump } : {}),
  });

  function toEvent(value: unknown): MessageEvent | null {
    if (value && typeof value === "object" && "t" in value && "d" in value) {
      const dispatch = value as { t: string; d: unknown };
      if (dispatch.t === "THREAD_CREATE") {
        const d = dispatch.d as { id?: unknown; parent_id?: unknown };
        if (typeof d.id === "string" && typeof d.parent_id === "string") threadParents.set(d.id, d.parent_id);
        return null;
      }
      return fromGatewayDispatch(dispatch, { parentOf: (id) => threadParents.get(id) ?? null });
    }
    return parseMessageEvent(value);
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
    await speedbump.handle(event);
  }

  return {
    speedbump,
    mirrored,
    handleLine,
    async run(lines, signal) {
      const pending = new Set<Promise<void>>();
      for await (const line of lines) {
        if (signal?.aborted) break;
        // Channels are independent: do not wait for one channel's sink call before the next line.
        const task = handleLine(line).catch((error: unknown) => {
          logger?.warn({ err: error }, "relay: delivering an event failed");
        });
        pending.add(task);
        task.finally(() => pending.delete(task));
      }
      await Promise.all(pending);
      // The input ended: let the holds fall due (a stop leaves them in the store for the next start).
      while (speedbump.stats().pendingHolds > 0 && !signal?.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await speedbump.settled();
    },
    stop: () => speedbump.stop(),
    stats: () => ({ ...stats }),
  };
}
