import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import type { DiscordRest } from "@guildkit/discord-rest";
import {
  type ChannelWebhooks,
  type Clock,
  createRelay as createRelayCore,
  type EventLog,
  type ProxyLookup,
  type ProxyMemberStore,
  type Relay as RelayCore,
  type RelayEventSource,
  type RelayLogger,
  type RelayRetryOptions,
  type RelaySink,
  type RelayStats,
  type Scheduler,
  type SpeedbumpOptions,
  type SpeedbumpStore,
} from "@guildkit/pk-speedbump";
import type { Registry } from "prom-client";
import { meterSpeedbumpStore, registerSpeedbumpGauges } from "./metrics-speedbump";

/**
 * The reference relay, wiring only: a JSON-lines source and a Discord-webhook sink around the relay
 * core of `@guildkit/pk-speedbump` (`createRelay` there holds the rules: the speedbump, the member
 * mapping, the sink's username and content rules, thread parents, retries and dead letters, the
 * echo guard).
 */

export { sinkUsername } from "@guildkit/pk-speedbump";
export type { RelayLogger, RelayRetryOptions, RelayStats };

/** What the relay needs of the Discord client (`@guildkit/discord-rest`). */
export type RelayDiscord = Pick<
  DiscordRest,
  "getChannelWebhooks" | "executeWebhook" | "editWebhookMessage" | "deleteWebhookMessage" | "parseWebhookUrl"
>;

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
  /** Real time by default (`@guildkit/core/system`). */
  scheduler?: Scheduler;
  clock?: Clock;
  /** Where the speedbump's metrics go (`metrics-speedbump.ts`); none by default. */
  metrics?: Registry;
}

/** A running relay: the core's, reading lines until they end or `signal` aborts. */
export interface Relay extends Omit<RelayCore, "run"> {
  /**
   * Reads lines until the input ends or `signal` aborts, then waits for in-flight work; when the
   * input ended (not aborted) it also waits for pending holds to fall due.
   */
  run(lines: RelayEventSource, signal?: AbortSignal): Promise<void>;
}

/** The speedbump's channel webhooks port on the Discord client. */
export function discordChannelWebhooks(discord: Pick<RelayDiscord, "getChannelWebhooks">): ChannelWebhooks {
  return {
    async list({ channelId, signal }) {
      const list = await discord.getChannelWebhooks({ channelId, ...(signal ? { signal } : {}) });
      return list.map((w) => ({ id: w.id, applicationId: w.application_id ?? null }));
    },
  };
}

/** The relay's sink on a Discord webhook URL. */
export function discordWebhookSink(discord: RelayDiscord, webhookUrl: string): RelaySink {
  const { id: webhookId, token: webhookToken } = discord.parseWebhookUrl(webhookUrl);
  const io = (signal: AbortSignal | undefined) => (signal ? { signal } : {});
  return {
    webhookId,
    async post({ body, signal }) {
      const posted = await discord.executeWebhook({
        webhookId,
        webhookToken,
        wait: true,
        body,
        ...io(signal),
      });
      return { id: posted.id };
    },
    async edit({ messageId, body, signal }) {
      await discord.editWebhookMessage({ webhookId, webhookToken, messageId, body, ...io(signal) });
    },
    async delete({ messageId, signal }) {
      await discord.deleteWebhookMessage({ webhookId, webhookToken, messageId, ...io(signal) });
    },
  } satisfies RelaySink;
}

/** A JSON-lines source: the lines of a stream (a file, standard input). */
export function jsonLinesSource(input: Readable): RelayEventSource {
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/** Creates the relay (call `speedbump.start()` or just feed lines: the first event starts it). */
export function createRelay(options: RelayOptions): Relay {
  const clock = options.clock ?? systemClock;
  const { metrics } = options;
  const relay = createRelayCore({
    store: metrics ? meterSpeedbumpStore(options.store, metrics, clock) : options.store,
    eventLog: options.eventLog ?? null,
    webhooks: discordChannelWebhooks(options.discord),
    lookup: options.pluralkit,
    sink: discordWebhookSink(options.discord, options.sinkWebhookUrl),
    clock,
    scheduler: options.scheduler ?? systemScheduler,
    logger: options.logger ?? null,
    ...(options.speedbump ? { speedbump: options.speedbump } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  if (metrics) registerSpeedbumpGauges(metrics, relay.speedbump);
  return {
    get speedbump() {
      return relay.speedbump;
    },
    get mirrored() {
      return relay.mirrored;
    },
    handleLine: (line) => relay.handleLine(line),
    run: (lines, signal) => relay.run(lines, signal ? { signal } : {}),
    stop: () => relay.stop(),
    stats: () => relay.stats(),
  };
}
