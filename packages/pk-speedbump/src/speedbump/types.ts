import type {
  MessageCreateEvent,
  MessageDeleteBulkEvent,
  MessageDeleteEvent,
  MessageEvent,
  MessageUpdateEvent,
} from "../events";
import type { PluralKitIdentity } from "../identity";
import type { SpeedbumpOptions } from "../options";
import type {
  ChannelWebhooks,
  Clock,
  DeliverySink,
  EventLog,
  ProxyLookup,
  ProxyMemberStore,
  Scheduler,
  SpeedbumpStore,
} from "../ports";

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
  /**
   * Resolves once no message is on hold (at once when none is) — e.g. to let the holds fall due
   * after the input ended. Woken by the releases themselves, no polling.
   */
  holdsReleased(): Promise<void>;
  /** Stops timers and waits for in-flight work. Holds stay persisted for the next start. */
  stop(): Promise<void>;
  stats(): SpeedbumpStats;
}
