import {
  emptyChannelState,
  isProxyMessage,
  isSpeedbumpOn,
  needsWebhookCheck,
  stateFromWebhooks,
} from "./channel-state";
import type { Delivery } from "./delivery";
import { ProxyLookupTimeoutError, SpeedbumpStoppedError } from "./errors";
import {
  type MessageCreateEvent,
  type MessageDeleteBulkEvent,
  type MessageDeleteEvent,
  type MessageEvent,
  type MessageUpdateEvent,
  mergeUpdate,
  routingChannelId,
} from "./events";
import { createHoldQueue } from "./hold-queue";
import {
  fallbackIdentity,
  mapIdentity,
  type PluralKitIdentity,
  toMemberRecord,
  type WebhookProfile,
  webhookProfile,
} from "./identity";
import { createLru } from "./lru";
import { resolveSpeedbumpOptions, type SpeedbumpOptions } from "./options";
import type {
  ChannelState,
  ChannelWebhooks,
  Clock,
  DeliverySink,
  EventLog,
  EventLogEntry,
  PendingHold,
  PkMessage,
  ProxyLookup,
  ProxyMemberStore,
  Scheduler,
  SpeedbumpStore,
  TimerHandle,
  UnresolvedProxyMessage,
} from "./ports";

/** Why a message was delivered at once. */
export type DeliverReason =
  /** The channel has no proxy webhook: no delay at all. */
  | "speedbump_off"
  /** The author is not known to proxy (and `holdAllUsers` is off). */
  | "not_proxy_user"
  /** A bot (not a webhook) wrote it; PluralKit does not proxy bots. */
  | "bot"
  /** PluralKit's webhook posted it: delivered at once, attributed to the member. */
  | "proxy_webhook"
  /** Another webhook posted it. */
  | "webhook"
  /** An edit of a message not on hold. */
  | "update"
  /** A deletion of a message not on hold. */
  | "delete";

/** Why a message is held. */
export type HoldReason =
  /** The author was seen as the sender of a proxied message. */
  | "proxy_user"
  /** `holdAllUsers` is on. */
  | "all_users"
  /** The message starts with a PluralKit command prefix (PluralKit deletes commands). */
  | "command"
  /** An edit arrived during the hold: the held content was replaced. */
  | "updated_during_hold"
  /** The create was seen twice; the first hold stands. */
  | "already_held";

/** Why a message is dropped. */
export type DropReason =
  /** Deleted during its hold: the send–delete–send dance suppressed. */
  | "deleted_during_hold"
  /** PluralKit reports it as the original of a proxied message. */
  | "proxied"
  /** An event for a message dropped earlier. */
  | "already_dropped";

/** What the speedbump decided for one message. */
export type SpeedbumpDecision =
  | { action: "deliver"; messageId: string; reason: DeliverReason }
  | { action: "hold"; messageId: string; reason: HoldReason; dueAt: Date }
  | { action: "drop"; messageId: string; reason: DropReason };

/** Told when a proxied message delivered with a fallback identity gets its real one. */
export interface ResolvedIdentity {
  /** The proxied (webhook) message id. */
  messageId: string;
  channelId: string;
  identity: PluralKitIdentity;
}

/** What {@link createSpeedbump} needs. */
export interface SpeedbumpDeps {
  store: SpeedbumpStore;
  /** Where member sightings go (for the clean-ups); null to not record them. */
  members?: ProxyMemberStore | null;
  webhooks: ChannelWebhooks;
  lookup: ProxyLookup;
  clock: Clock;
  scheduler: Scheduler;
  /** The sink: every delivered create, update and delete goes here. */
  deliver: DeliverySink;
  eventLog?: EventLog | null;
  /** Called when an unresolved identity is fixed (e.g. to update a puppet's profile). */
  onIdentityResolved?: ((resolved: ResolvedIdentity) => void | Promise<void>) | null;
  options?: SpeedbumpOptions;
}

/** Counters for monitoring and benchmarks. */
export interface SpeedbumpStats {
  /** Messages on hold now. */
  pendingHolds: number;
  /** Channel states cached in memory. */
  channels: number;
  delivered: number;
  held: number;
  dropped: number;
  webhookChecks: number;
  lookups: number;
  lookupFailures: number;
}

/** What {@link Speedbump.start} recovered. */
export interface SpeedbumpStartResult {
  /** Holds loaded from the store (delivered at their due time unless deleted first). */
  recoveredHolds: number;
  /** Channels with the speedbump on, loaded into memory. */
  activeChannels: number;
}

/**
 * The speedbump. Events of one channel (a thread with its parent) are handled in order; an update
 * or delete of a held message is handled in its hold's line, whatever channel the event names.
 */
export interface Speedbump {
  /**
   * Recovers persisted holds (rescheduled at their due time, verified with PluralKit before
   * delivery), loads the channels whose speedbump is on, and arms the retry of pending unresolved
   * identities. Called on the first `handle` if not before.
   */
  start(): Promise<SpeedbumpStartResult>;
  /**
   * Decides for one event and carries it out: a delivery goes to the sink before this resolves
   * (a sink failure rejects it, so the caller can re-feed the event); a hold is persisted.
   */
  handle(event: MessageDeleteBulkEvent): Promise<SpeedbumpDecision[]>;
  handle(event: MessageCreateEvent | MessageUpdateEvent | MessageDeleteEvent): Promise<SpeedbumpDecision>;
  handle(event: MessageEvent): Promise<SpeedbumpDecision | SpeedbumpDecision[]>;
  /** Retries unresolved identities that are due now; returns how many were resolved. */
  resolvePending(opts?: { limit?: number }): Promise<number>;
  /** Resolves once no event, release, webhook check or log write is in flight. */
  settled(): Promise<void>;
  /** Stops timers and waits for in-flight work. Holds stay persisted for the next start. */
  stop(): Promise<void>;
  stats(): SpeedbumpStats;
}

interface Hold extends PendingHold {
  /** Loaded from the store on start: its delete may have been missed while down. */
  recovered: boolean;
  /** Failed deliveries so far. */
  attempts: number;
}

type LookupResult = { ok: true; message: PkMessage | null } | { ok: false; error: unknown };

const HOUR = 3_600_000;
const RELEASE_RETRY_CAP_MS = 60_000;
const DROPPED_MEMORY = 20_000;

function retryAfterOf(error: unknown): number | null {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === "number" && value >= 0 ? value : null;
}

function retryableOf(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function toPendingHold(hold: Hold): PendingHold {
  return {
    messageId: hold.messageId,
    channelId: hold.channelId,
    heldAt: hold.heldAt,
    dueAt: hold.dueAt,
    message: hold.message,
  };
}

/**
 * Creates the PluralKit speedbump: per channel it learns whether PluralKit proxies there (by
 * reading the channel's webhooks after a message delete, at most once per refresh interval), holds
 * messages of users known to proxy for `delayMs`, drops a held message that is deleted, delivers a
 * held message once with its latest content, and attributes PluralKit's webhook messages to the
 * proxied member. Channels without a proxy webhook get no delay.
 *
 * Holds are persisted with their due time through `store` and recovered by `start()`; a recovered
 * hold is checked with PluralKit (it knows an original message for 30 minutes) before it is
 * delivered, because its delete may have come while the relay was down.
 */
export function createSpeedbump(deps: SpeedbumpDeps): Speedbump {
  const options = resolveSpeedbumpOptions(deps.options);
  const { store, webhooks, lookup, clock, scheduler, deliver } = deps;
  const members = deps.members ?? null;
  const eventLog = deps.eventLog ?? null;

  const queue = createHoldQueue<Hold>();
  /** Holds taken off the queue whose release is waiting in their channel's line. */
  const releasing = new Map<string, Hold>();
  /** Channels with the speedbump on: loaded by start(), never evicted (they are few). */
  const activeChannels = new Map<string, ChannelState>();
  /** Other channels' states (when their webhooks were last read), bounded. */
  const quietChannels = createLru<string, ChannelState>(options.channelCacheSize);
  /** Creates waiting in a line → that line, so their updates and deletes queue behind them. */
  const pendingCreates = new Map<string, string>();
  const proxyUsers = createLru<string, boolean>(options.userCacheSize);
  const dropped = createLru<string, true>(DROPPED_MEMORY);
  const tails = new Map<string, Promise<void>>();
  const background = new Set<Promise<unknown>>();
  const checking = new Set<string>();
  const webhookRetryAt = new Map<string, number>();

  let timer: TimerHandle | null = null;
  let timerAt: number | null = null;
  let unresolvedTimer: TimerHandle | null = null;
  let unresolvedAt: number | null = null;
  let lookupBlockedUntil = 0;
  let starting: Promise<SpeedbumpStartResult> | null = null;
  let started = false;
  let stopped = false;
  const counters = {
    delivered: 0,
    held: 0,
    dropped: 0,
    webhookChecks: 0,
    lookups: 0,
    lookupFailures: 0,
  };

  const now = () => clock.now();

  function track<T>(promise: Promise<T>): Promise<T> {
    background.add(promise);
    const done = () => background.delete(promise);
    promise.then(done, done);
    return promise;
  }

  function log(entry: EventLogEntry): void {
    if (!eventLog) return;
    track(eventLog.append(entry).catch(() => undefined));
  }

  function storeFailed(operation: string, error: unknown, data: Record<string, unknown> = {}): void {
    log({
      kind: "speedbump.store_error",
      level: "error",
      message: `speedbump store ${operation} failed (${describe(error)}); continuing in memory`,
      data: { operation, ...data },
    });
  }

  /**
   * Runs `task` after every earlier task of the same line — a channel's events, or (`store:<id>`) a
   * channel's state writes; different lines run concurrently.
   */
  function inChannel<T>(channelId: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(channelId);
    const run = previous ? previous.then(task) : task();
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(channelId, tail);
    tail.then(() => {
      if (tails.get(channelId) === tail) tails.delete(channelId);
    });
    return run;
  }

  /** What this process knows of a channel, without a store read; null when nothing. */
  function knownChannel(channelId: string): ChannelState | null {
    return activeChannels.get(channelId) ?? quietChannels.get(channelId) ?? null;
  }

  function remember(state: ChannelState): void {
    if (isSpeedbumpOn(state)) {
      activeChannels.set(state.channelId, state);
      quietChannels.delete(state.channelId);
    } else {
      activeChannels.delete(state.channelId);
      quietChannels.set(state.channelId, state);
    }
  }

  /**
   * Applies a channel's new state at once and writes it in the background (a channel's writes in
   * order, outside its line of events: no message waits for the store).
   */
  function saveChannel(state: ChannelState): void {
    const previous = knownChannel(state.channelId);
    remember(state);
    track(
      inChannel(`store:${state.channelId}`, () =>
        store.saveChannel(state).catch((error: unknown) => {
          storeFailed("saveChannel", error, { channelId: state.channelId });
        }),
      ),
    );
    const wasOn = isSpeedbumpOn(previous);
    const isOn = isSpeedbumpOn(state);
    if (wasOn !== isOn || (isOn && previous?.webhookId !== state.webhookId)) {
      log({
        kind: isOn ? "speedbump.on" : "speedbump.off",
        level: "info",
        message: isOn
          ? `speedbump on in channel ${state.channelId} (proxy webhook ${state.webhookId})`
          : `speedbump off in channel ${state.channelId} (no proxy webhook)`,
        data: {
          channelId: state.channelId,
          webhookId: state.webhookId,
          applicationId: state.proxyApplicationId,
        },
      });
    }
  }

  async function isProxyUser(userId: string): Promise<boolean> {
    const cached = proxyUsers.get(userId);
    if (cached !== undefined) return cached;
    let known = false;
    try {
      known = await store.isProxyUser({ userId });
    } catch (error) {
      storeFailed("isProxyUser", error);
    }
    proxyUsers.set(userId, known);
    return known;
  }

  async function send(delivery: Delivery): Promise<void> {
    await deliver(delivery);
    counters.delivered++;
  }

  // ---- holds -----------------------------------------------------------------------------

  function findHold(messageId: string): Hold | undefined {
    return queue.get(messageId) ?? releasing.get(messageId);
  }

  function replaceHold(hold: Hold): void {
    if (releasing.has(hold.messageId)) releasing.set(hold.messageId, hold);
    else queue.replace(hold);
  }

  function removeHold(messageId: string): Hold | undefined {
    const fromQueue = queue.remove(messageId);
    if (fromQueue) {
      arm();
      return fromQueue;
    }
    const hold = releasing.get(messageId);
    releasing.delete(messageId);
    return hold;
  }

  async function persistHold(hold: Hold): Promise<void> {
    try {
      await store.saveHold(toPendingHold(hold));
    } catch (error) {
      storeFailed("saveHold", error, { messageId: hold.messageId });
    }
  }

  async function forgetHold(messageId: string): Promise<void> {
    try {
      await store.deleteHold({ messageId });
    } catch (error) {
      storeFailed("deleteHold", error, { messageId });
    }
  }

  async function dropHold(messageId: string, reason: DropReason): Promise<SpeedbumpDecision | null> {
    const hold = removeHold(messageId);
    if (!hold) return null;
    dropped.set(messageId, true);
    counters.dropped++;
    await forgetHold(messageId);
    return { action: "drop", messageId, reason };
  }

  function arm(): void {
    if (stopped) return;
    const next = queue.nextDueAt();
    const at = next?.getTime() ?? null;
    if (at === timerAt) return;
    if (timer !== null) scheduler.clear(timer);
    timer = null;
    timerAt = at;
    if (next) timer = scheduler.setTimer(next, onTimer);
  }

  function onTimer(): void {
    timer = null;
    timerAt = null;
    if (stopped) return;
    for (const hold of queue.takeDue(now())) {
      releasing.set(hold.messageId, hold);
      track(inChannel(hold.channelId, () => release(hold.messageId)));
    }
    arm();
  }

  async function release(messageId: string): Promise<void> {
    const hold = releasing.get(messageId);
    if (!hold || stopped) return;
    if (hold.recovered && options.verifyRecoveredHolds) {
      const result = await lookupMessage(messageId);
      if (result.ok && result.message) {
        releasing.delete(messageId);
        dropped.set(messageId, true);
        counters.dropped++;
        await forgetHold(messageId);
        await rememberProxyUser(result.message.sender);
        return;
      }
    }
    try {
      await send({
        type: "create",
        message: hold.message,
        author: { kind: "user", user: hold.message.author },
        heldMs: Math.max(0, now().getTime() - hold.heldAt.getTime()),
      });
    } catch (error) {
      releasing.delete(messageId);
      const attempts = hold.attempts + 1;
      const delay = Math.min(options.deliveryRetryMs * 2 ** (attempts - 1), RELEASE_RETRY_CAP_MS);
      const retry: Hold = { ...hold, attempts, dueAt: new Date(now().getTime() + delay) };
      queue.add(retry);
      arm();
      await persistHold(retry);
      log({
        kind: "speedbump.deliver_failed",
        level: "warn",
        message: `delivering held message ${messageId} failed (${describe(error)}); retrying in ${delay} ms`,
        discordUserId: hold.message.author.id,
        data: { messageId, channelId: hold.channelId, attempts },
      });
      return;
    }
    releasing.delete(messageId);
    await forgetHold(messageId);
  }

  // ---- PluralKit -------------------------------------------------------------------------

  /** Looks a message up on PluralKit, giving up (and aborting the lookup) after `lookupTimeoutMs`. */
  function lookupWithDeadline(id: string): Promise<PkMessage | null> {
    const controller = new AbortController();
    return new Promise((resolve, reject) => {
      const deadline = scheduler.setTimer(new Date(now().getTime() + options.lookupTimeoutMs), () => {
        const error = new ProxyLookupTimeoutError(options.lookupTimeoutMs);
        controller.abort(error);
        reject(error);
      });
      lookup.getMessage({ id, signal: controller.signal }).then(
        (message) => {
          scheduler.clear(deadline);
          resolve(message);
        },
        (error: unknown) => {
          scheduler.clear(deadline);
          reject(error);
        },
      );
    });
  }

  async function lookupMessage(id: string): Promise<LookupResult> {
    const at = now().getTime();
    if (at < lookupBlockedUntil) return { ok: false, error: new Error("PluralKit lookups paused") };
    counters.lookups++;
    try {
      return { ok: true, message: await lookupWithDeadline(id) };
    } catch (error) {
      counters.lookupFailures++;
      const wait = Math.max(options.lookupCooldownMs, retryAfterOf(error) ?? 0);
      const wasOpen = lookupBlockedUntil <= at;
      lookupBlockedUntil = at + wait;
      if (wasOpen) {
        log({
          kind: "pluralkit.lookup_failed",
          level: "warn",
          message: `PluralKit lookup failed (${describe(error)}); using webhook profiles for ${wait} ms`,
          data: { messageId: id, status: (error as { status?: unknown }).status ?? null },
        });
      }
      return { ok: false, error };
    }
  }

  async function rememberProxyUser(userId: string | null): Promise<void> {
    if (!userId || proxyUsers.get(userId) === true) return;
    proxyUsers.set(userId, true);
    try {
      await store.saveProxyUser({ userId, seenAt: now() });
    } catch (error) {
      storeFailed("saveProxyUser", error);
    }
  }

  async function learn(message: PkMessage | null, identity: PluralKitIdentity, guildId: string | null) {
    if (!message) return;
    await rememberProxyUser(message.sender || null);
    const record = toMemberRecord(identity);
    const guild = guildId ?? message.guild;
    if (!members || !record || !guild || !message.sender) return;
    try {
      await members.recordMemberSeen({
        member: record,
        guildId: guild,
        senderUserId: message.sender,
        seenAt: now(),
      });
    } catch (error) {
      storeFailed("recordMemberSeen", error, { memberKey: record.key });
    }
  }

  async function queueUnresolved(event: MessageCreateEvent, profile: WebhookProfile): Promise<void> {
    const item: UnresolvedProxyMessage = {
      messageId: event.id,
      channelId: event.channelId,
      guildId: event.guildId,
      webhookId: profile.webhookId,
      webhookUsername: profile.username,
      webhookAvatarUrl: profile.avatarUrl,
      attempts: 0,
      nextAttemptAt: new Date(Math.max(now().getTime() + options.unresolvedRetryMs, lookupBlockedUntil)),
    };
    try {
      await store.saveUnresolved(item);
    } catch (error) {
      storeFailed("saveUnresolved", error, { messageId: event.id });
      return;
    }
    armUnresolved(item.nextAttemptAt);
  }

  function armUnresolved(at: Date): void {
    if (stopped) return;
    const time = at.getTime();
    if (unresolvedAt !== null && unresolvedAt <= time) return;
    if (unresolvedTimer !== null) scheduler.clear(unresolvedTimer);
    unresolvedAt = time;
    unresolvedTimer = scheduler.setTimer(at, () => {
      unresolvedTimer = null;
      unresolvedAt = null;
      if (!stopped) track(resolvePending().catch(() => 0));
    });
  }

  async function resolvePending(opts: { limit?: number } = {}): Promise<number> {
    const limit = opts.limit ?? 50;
    let items: UnresolvedProxyMessage[];
    try {
      items = await store.listUnresolved({ dueBefore: now(), limit });
    } catch (error) {
      storeFailed("listUnresolved", error);
      armUnresolved(new Date(now().getTime() + options.unresolvedRetryMs));
      return 0;
    }
    let resolved = 0;
    let nextAt: number | null = items.length === limit ? now().getTime() : null;
    for (const item of items) {
      const result = await lookupMessage(item.messageId);
      if (!result.ok) {
        const attempts = item.attempts + 1;
        if (attempts >= options.unresolvedMaxAttempts || !retryableOf(result.error)) {
          await store
            .deleteUnresolved({ messageId: item.messageId })
            .catch((e) => storeFailed("deleteUnresolved", e));
          log({
            kind: "pluralkit.unresolved_gave_up",
            level: "warn",
            message: `gave up resolving the PluralKit identity of message ${item.messageId} after ${attempts} attempts`,
            data: { messageId: item.messageId, channelId: item.channelId },
          });
          continue;
        }
        const delay = Math.min(options.unresolvedRetryMs * 2 ** attempts, HOUR);
        const next = new Date(Math.max(now().getTime() + delay, lookupBlockedUntil));
        await store
          .saveUnresolved({ ...item, attempts, nextAttemptAt: next })
          .catch((e) => storeFailed("saveUnresolved", e));
        nextAt = Math.min(nextAt ?? Number.POSITIVE_INFINITY, next.getTime());
        continue;
      }
      const profile: WebhookProfile = {
        webhookId: item.webhookId,
        username: item.webhookUsername,
        avatarUrl: item.webhookAvatarUrl,
      };
      const identity = mapIdentity(result.message, profile, options.identity);
      await learn(result.message, identity, item.guildId);
      await store
        .deleteUnresolved({ messageId: item.messageId })
        .catch((e) => storeFailed("deleteUnresolved", e));
      resolved++;
      log({
        kind: "pluralkit.identity_resolved",
        level: "info",
        message: `resolved the PluralKit identity of message ${item.messageId}`,
        discordUserId: identity.senderUserId,
        data: { messageId: item.messageId, channelId: item.channelId, memberKey: identity.key },
      });
      if (deps.onIdentityResolved) {
        try {
          await deps.onIdentityResolved({ messageId: item.messageId, channelId: item.channelId, identity });
        } catch {
          // The hook's failure is the app's; the identity is recorded either way.
        }
      }
    }
    if (nextAt !== null) armUnresolved(new Date(nextAt));
    return resolved;
  }

  // ---- event handlers ----------------------------------------------------------------------

  async function handleProxyMessage(
    event: MessageCreateEvent,
    channelId: string,
    state: ChannelState | null,
  ): Promise<SpeedbumpDecision> {
    const webhookId = event.webhookId!;
    if (
      state?.webhookId !== webhookId ||
      (event.applicationId !== null && state.proxyApplicationId !== event.applicationId)
    ) {
      // PluralKit posted here: the speedbump is on from now (a replaced webhook takes over).
      const current = state ?? emptyChannelState(channelId);
      saveChannel({
        ...current,
        webhookId,
        proxyApplicationId: event.applicationId ?? current.proxyApplicationId,
      });
    }
    const profile = webhookProfile(event.author, webhookId, options.identity);
    const result = await lookupMessage(event.id);
    const identity = result.ok
      ? mapIdentity(result.message, profile, options.identity)
      : fallbackIdentity(profile, { resolved: false });
    const original = result.ok ? (result.message?.original ?? null) : null;
    // Deliver first: if the sink fails, the held original stays (and this event can be re-fed).
    await send({ type: "create", message: event, author: { kind: "pluralkit", identity }, heldMs: 0 });
    if (original && findHold(original)) await dropHold(original, "proxied");
    if (result.ok) await learn(result.message, identity, event.guildId);
    else await queueUnresolved(event, profile);
    return { action: "deliver", messageId: event.id, reason: "proxy_webhook" };
  }

  async function handleCreate(event: MessageCreateEvent): Promise<SpeedbumpDecision> {
    const channelId = routingChannelId(event);
    // No store read: a channel not known to have a speedbump has none (see start()).
    const state = knownChannel(channelId);
    if (event.webhookId) {
      if (isProxyMessage(event, state, options.proxyApplicationIds))
        return handleProxyMessage(event, channelId, state);
      await send({
        type: "create",
        message: event,
        author: { kind: "webhook", webhook: webhookProfile(event.author, event.webhookId, options.identity) },
        heldMs: 0,
      });
      return { action: "deliver", messageId: event.id, reason: "webhook" };
    }
    const existing = findHold(event.id);
    if (existing)
      return { action: "hold", messageId: event.id, reason: "already_held", dueAt: existing.dueAt };
    if (dropped.has(event.id)) return { action: "drop", messageId: event.id, reason: "already_dropped" };

    let reason: HoldReason | null = null;
    let skip: DeliverReason = "speedbump_off";
    if (!isSpeedbumpOn(state)) skip = "speedbump_off";
    else if (event.author.bot) skip = "bot";
    else if (options.holdAllUsers) reason = "all_users";
    else if (await isProxyUser(event.author.id)) reason = "proxy_user";
    else if (options.holdCommandPrefixes.some((p) => event.content.startsWith(p))) reason = "command";
    else skip = "not_proxy_user";

    if (!reason) {
      await send({ type: "create", message: event, author: { kind: "user", user: event.author }, heldMs: 0 });
      return { action: "deliver", messageId: event.id, reason: skip };
    }
    const heldAt = now();
    const hold: Hold = {
      messageId: event.id,
      channelId,
      heldAt,
      dueAt: new Date(heldAt.getTime() + options.delayMs),
      message: event,
      recovered: false,
      attempts: 0,
    };
    queue.add(hold);
    counters.held++;
    arm();
    await persistHold(hold);
    return { action: "hold", messageId: event.id, reason, dueAt: hold.dueAt };
  }

  async function handleUpdate(event: MessageUpdateEvent): Promise<SpeedbumpDecision> {
    const hold = findHold(event.id);
    if (hold) {
      const next: Hold = { ...hold, message: mergeUpdate(hold.message, event) };
      replaceHold(next);
      await persistHold(next);
      return { action: "hold", messageId: event.id, reason: "updated_during_hold", dueAt: hold.dueAt };
    }
    if (dropped.has(event.id)) return { action: "drop", messageId: event.id, reason: "already_dropped" };
    await send({ type: "update", update: event });
    return { action: "deliver", messageId: event.id, reason: "update" };
  }

  async function handleDeleteOne(
    id: string,
    event: MessageDeleteEvent | MessageDeleteBulkEvent,
  ): Promise<SpeedbumpDecision> {
    const droppedHold = await dropHold(id, "deleted_during_hold");
    if (droppedHold) return droppedHold;
    if (dropped.has(id)) return { action: "drop", messageId: id, reason: "already_dropped" };
    await send({
      type: "delete",
      messageId: id,
      channelId: event.channelId,
      parentId: event.parentId,
      guildId: event.guildId,
    });
    return { action: "deliver", messageId: id, reason: "delete" };
  }

  /** A channel's stored state, for a channel this process has no state of; null on a store failure. */
  async function readChannel(channelId: string): Promise<ChannelState | null> {
    try {
      return await store.getChannel({ channelId });
    } catch (error) {
      storeFailed("getChannel", error, { channelId });
      return null;
    }
  }

  /** After a delete: re-reads the channel's webhooks in the background if the last read is old. */
  function maybeCheckWebhooks(channelId: string): void {
    if (checking.has(channelId) || (webhookRetryAt.get(channelId) ?? 0) > now().getTime()) return;
    const known = knownChannel(channelId);
    if (known && !needsWebhookCheck(known, now(), options.refreshIntervalMs)) return;
    checking.add(channelId);
    const check = async () => {
      try {
        if (!known) {
          // Not in memory (quiet at start, or evicted): the store knows when it was last read.
          const stored = await readChannel(channelId);
          if (stored && !knownChannel(channelId)) remember(stored);
          if (stored && !needsWebhookCheck(stored, now(), options.refreshIntervalMs)) return;
        }
        counters.webhookChecks++;
        const list = await webhooks.list({ channelId });
        webhookRetryAt.delete(channelId);
        saveChannel(stateFromWebhooks(channelId, list, options.proxyApplicationIds, now()));
      } catch (error) {
        const wait = retryableOf(error)
          ? Math.max(retryAfterOf(error) ?? 0, options.webhookRetryMs)
          : options.refreshIntervalMs;
        webhookRetryAt.set(channelId, now().getTime() + wait);
        log({
          kind: "speedbump.check_failed",
          level: "warn",
          message: `reading the webhooks of channel ${channelId} failed (${describe(error)}); next try in ${wait} ms at the earliest`,
          data: { channelId, status: (error as { status?: unknown }).status ?? null },
        });
      } finally {
        checking.delete(channelId);
      }
    };
    track(check());
  }

  async function handleDelete(event: MessageDeleteEvent): Promise<SpeedbumpDecision> {
    try {
      return await handleDeleteOne(event.id, event);
    } finally {
      maybeCheckWebhooks(routingChannelId(event));
    }
  }

  /** The line a message's update or delete runs in: its pending create's or its hold's, if any. */
  function lineOf(messageId: string, event: MessageEvent): string {
    return pendingCreates.get(messageId) ?? findHold(messageId)?.channelId ?? routingChannelId(event);
  }

  async function handleDeleteBulk(event: MessageDeleteBulkEvent): Promise<SpeedbumpDecision[]> {
    const results = await Promise.allSettled(
      event.ids.map((id) => inChannel(lineOf(id, event), () => handleDeleteOne(id, event))),
    );
    maybeCheckWebhooks(routingChannelId(event));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<SpeedbumpDecision>).value);
  }

  function dispatch(event: MessageEvent): Promise<SpeedbumpDecision | SpeedbumpDecision[]> {
    switch (event.type) {
      case "create": {
        const line = routingChannelId(event);
        pendingCreates.set(event.id, line);
        return inChannel(line, async () => {
          try {
            return await handleCreate(event);
          } finally {
            if (pendingCreates.get(event.id) === line) pendingCreates.delete(event.id);
          }
        });
      }
      case "update":
        return inChannel(lineOf(event.id, event), () => handleUpdate(event));
      case "delete":
        return inChannel(lineOf(event.id, event), () => handleDelete(event));
      case "delete_bulk":
        return track(handleDeleteBulk(event));
    }
  }

  async function doStart(): Promise<SpeedbumpStartResult> {
    const [holds, active, nextUnresolved] = await Promise.all([
      store.listHolds(),
      store.listActiveChannels(),
      store.nextUnresolvedAt(),
    ]);
    for (const state of active) if (!knownChannel(state.channelId)) remember(state);
    for (const hold of holds) {
      if (!findHold(hold.messageId)) queue.add({ ...hold, recovered: true, attempts: 0 });
    }
    arm();
    if (nextUnresolved) armUnresolved(nextUnresolved);
    return { recoveredHolds: holds.length, activeChannels: active.length };
  }

  function start(): Promise<SpeedbumpStartResult> {
    if (stopped) return Promise.reject(new SpeedbumpStoppedError());
    starting ??= doStart().then(
      (result) => {
        started = true;
        return result;
      },
      (error: unknown) => {
        starting = null;
        throw error;
      },
    );
    return starting;
  }

  async function settled(): Promise<void> {
    while (tails.size > 0 || background.size > 0) {
      await Promise.all([...tails.values(), ...background]);
    }
  }

  function handle(event: MessageEvent): Promise<SpeedbumpDecision | SpeedbumpDecision[]> {
    if (stopped) return Promise.reject(new SpeedbumpStoppedError());
    if (started) return dispatch(event);
    // Events before the start are dispatched after it, in the order they came.
    return track(start().then(() => handle(event)));
  }

  return {
    start,
    handle: handle as Speedbump["handle"],
    resolvePending,
    settled,
    async stop() {
      stopped = true;
      if (timer !== null) scheduler.clear(timer);
      if (unresolvedTimer !== null) scheduler.clear(unresolvedTimer);
      timer = null;
      unresolvedTimer = null;
      await settled();
    },
    stats: () => ({
      pendingHolds: queue.size + releasing.size,
      channels: activeChannels.size + quietChannels.size,
      ...counters,
    }),
  };
}
