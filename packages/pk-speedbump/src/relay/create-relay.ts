import type { MessageEvent } from "../events";
import { routingChannelId } from "../events";
import { createLines } from "../lines";
import type { SpeedbumpOptions } from "../options";
import type {
  ChannelWebhooks,
  Clock,
  EventLog,
  IoOptions,
  ProxyLookup,
  ProxyMemberStore,
  Scheduler,
  SpeedbumpStore,
} from "../ports";
import { createSpeedbump } from "../speedbump/create-speedbump";
import { describeError } from "../speedbump/runtime";
import type { Speedbump } from "../speedbump/types";
import { createSinkDelivery } from "./deliver";
import { createRelayInput } from "./input";
import type { RelayEventSource, RelayLogger, RelaySink } from "./ports";
import { nextRetry, type RelayRetryOptions, resolveRelayRetry } from "./retry";

/** What {@link createRelay} needs. */
export interface RelayOptions {
  /** Both speedbump store ports (`store.speedbump` of `@guildkit/store-sqlite` / `-postgres`). */
  store: SpeedbumpStore & ProxyMemberStore;
  eventLog?: EventLog | null;
  /** A channel's webhooks (Discord), for the speedbump's per-channel state. */
  webhooks: ChannelWebhooks;
  /** PluralKit lookups: `createPluralKitApi({ baseUrl, userAgent })`. */
  lookup: ProxyLookup;
  /** Where relayed messages go. */
  sink: RelaySink;
  clock: Clock;
  /** Timers for the holds and the retries; the relay arms no timer of its own otherwise. */
  scheduler: Scheduler;
  speedbump?: SpeedbumpOptions;
  /** Retries of a failed event, in order per channel (defaults: 6 attempts, 1 s doubling to 30 s). */
  retry?: RelayRetryOptions;
  logger?: RelayLogger | null;
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
   * Reads the source until it ends or `signal` aborts, then waits for in-flight work; when the
   * source ended (not aborted) it also waits for pending holds to fall due.
   */
  run(source: RelayEventSource, opts?: IoOptions): Promise<void>;
  /**
   * Stops the speedbump (pending holds stay in the store for the next start); events waiting for a
   * retry are dead-lettered at once.
   */
  stop(): Promise<void>;
  stats(): RelayStats;
}

function messageIds(event: MessageEvent): string {
  return event.type === "delete_bulk" ? event.ids.join(",") : event.id;
}

/** Resolves when `signal` aborts. */
function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * Creates the relay: input events go through the PluralKit speedbump and member mapping, and what
 * is delivered goes to the sink — proxied messages under the PluralKit member's name and avatar,
 * nothing able to ping. Edits and deletes of relayed messages are mirrored; the sink's own messages
 * are never relayed back. An event whose handling fails (the sink or the store) is retried with
 * backoff, and the channel's later events wait for it, so a channel's messages keep their order;
 * after `retry.attempts` it is dead-lettered: logged, and written to the event log
 * (`relay.dead_letter`, the event in `data`). Call `speedbump.start()`, or just feed events: the
 * first one starts it.
 */
export function createRelay(options: RelayOptions): Relay {
  const { clock, scheduler, sink } = options;
  const logger = options.logger ?? null;
  const eventLog = options.eventLog ?? null;
  const retry = resolveRelayRetry(options.retry);
  const mirrored = new Map<string, string>();
  const input = createRelayInput();
  /** Per channel (a thread with its parent): an event and its retries, then the next. */
  const lines = createLines();
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

  const speedbump = createSpeedbump({
    store: options.store,
    members: options.store,
    webhooks: options.webhooks,
    lookup: options.lookup,
    clock,
    scheduler,
    deliver: createSinkDelivery(sink, mirrored, stats),
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
        const next = nextRetry(attempt, error, retry);
        if (next.giveUp || closing.signal.aborted) return deadLetter(event, error, attempt);
        stats.retried++;
        logger?.warn(
          { err: error, type: event.type, messageId: messageIds(event), channelId: event.channelId, attempt },
          `relay: handling an event failed; retrying in ${next.delayMs} ms`,
        );
        if (!(await pause(next.delayMs))) return deadLetter(event, error, attempt);
      }
    }
  }

  async function handleLine(line: string): Promise<void> {
    const text = line.trim();
    if (!text) return;
    stats.lines++;
    let event: MessageEvent | null;
    try {
      event = input.toEvent(JSON.parse(text));
    } catch (error) {
      stats.invalidLines++;
      logger?.warn({ err: error, line: text.slice(0, 200) }, "relay: skipped an invalid input line");
      return;
    }
    if (!event) return;
    // The echo guard: never relay the sink's own messages back (a loop when the sink is in a watched channel).
    if (event.type === "create" && sink.webhookId !== null && event.webhookId === sink.webhookId) return;
    const accepted = event;
    await lines.run(routingChannelId(accepted), () => handleWithRetry(accepted));
  }

  async function run(source: RelayEventSource, opts: IoOptions = {}): Promise<void> {
    const { signal } = opts;
    signal?.addEventListener("abort", () => closing.abort(), { once: true });
    const pending = new Set<Promise<void>>();
    for await (const line of source) {
      if (signal?.aborted) break;
      // Channels are independent: do not wait for one channel's sink call before the next line.
      const task = handleLine(line);
      pending.add(task);
      task.then(() => pending.delete(task));
    }
    await Promise.all(pending);
    // The source ended: let the holds fall due (a stop leaves them in the store for the next start).
    if (!signal?.aborted) await Promise.race([speedbump.holdsReleased(), whenAborted(closing.signal)]);
    await speedbump.settled();
  }

  return {
    speedbump,
    mirrored,
    handleLine,
    run,
    async stop() {
      closing.abort();
      await speedbump.stop();
    },
    stats: () => ({ ...stats }),
  };
}
