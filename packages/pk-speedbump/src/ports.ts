import type { Scheduler as CoreScheduler, IoOptions } from "@guildkit/core";
import type { Delivery } from "./delivery";
import type { MessageCreateEvent } from "./events";

export type { Clock, EventLog, EventLogEntry, IoOptions, TimerHandle } from "@guildkit/core";

/**
 * Runs a function at a given time: the timer half of `@guildkit/core`'s `Scheduler` (its
 * `systemScheduler` and `createFakeTime().scheduler` fit as they are). The core never calls
 * `setTimeout` itself: the app hands it a scheduler on real time, tests a fake one.
 */
export type Scheduler = Pick<CoreScheduler, "setTimer" | "clear">;

/** A webhook of a channel, as much as the speedbump needs of it. */
export interface ChannelWebhook {
  id: string;
  /** The application that owns it (PluralKit: `466378653216014359`); null for a user-created webhook. */
  applicationId: string | null;
}

/**
 * Lists a channel's webhooks (Discord `GET /channels/{channel.id}/webhooks`, needs MANAGE_WEBHOOKS).
 * Failures should carry `retryable` and `retryAfterMs` like `DiscordApiError`; the core reads them
 * structurally.
 *
 * @see https://discord.com/developers/docs/resources/webhook#get-channel-webhooks
 */
export interface ChannelWebhooks {
  list(opts: { channelId: string; signal?: AbortSignal }): Promise<ChannelWebhook[]>;
}

/** PluralKit's System model, the fields the speedbump reads (the public view; private fields are null). */
export interface PkSystem {
  id: string;
  uuid: string;
  name: string | null;
  tag: string | null;
  avatar_url: string | null;
}

/** PluralKit's Member model, the fields the speedbump reads. */
export interface PkMember {
  /** Short id, 5–6 letters. May be re-rolled; use `uuid` as the stable key. */
  id: string;
  uuid: string;
  name: string;
  display_name: string | null;
  pronouns: string | null;
  avatar_url: string | null;
  webhook_avatar_url: string | null;
}

/** PluralKit's Message model (`GET /v2/messages/{id}`), the fields the speedbump reads. */
export interface PkMessage {
  /** The proxied (webhook) message id. */
  id: string;
  /** The deleted trigger message id; null when PluralKit does not know it. */
  original: string | null;
  /** The Discord user who triggered the proxy. */
  sender: string;
  channel: string;
  guild: string | null;
  /** Null when the system was deleted. */
  system: PkSystem | null;
  /** Null when the member was deleted. */
  member: PkMember | null;
}

/**
 * Looks a proxied message up on PluralKit. Implemented by `@guildkit/pluralkit-api`
 * (`createPluralKitApi(...)` satisfies it structurally).
 *
 * @see https://pluralkit.me/api/endpoints/#get-proxied-message-information
 */
export interface ProxyLookup {
  /**
   * `id` may be the proxied message id, or the original trigger message id (PluralKit answers
   * for the original for 30 minutes). Resolves to null when PluralKit does not know the message;
   * rejects when PluralKit cannot be reached. The speedbump aborts `signal` after its
   * `lookupTimeoutMs` and stops waiting either way.
   */
  getMessage(opts: { id: string; signal?: AbortSignal }): Promise<PkMessage | null>;
}

/** Per channel (a thread's parent): what the speedbump knows about the proxy bot there. */
export interface ChannelState {
  /** The channel id; for a thread, its parent's. */
  channelId: string;
  /** The proxy bot's application id, when one of its webhooks was seen here. */
  proxyApplicationId: string | null;
  /** The proxy bot's webhook id in this channel; non-null means the speedbump is on. */
  webhookId: string | null;
  /** When the channel's webhooks were last read; null for never. */
  checkedAt: Date | null;
}

/** A message held by the speedbump, persisted with its due time so it survives a restart. */
export interface PendingHold {
  messageId: string;
  /** The routing channel (a thread's parent). */
  channelId: string;
  /** When it was held. */
  heldAt: Date;
  /** When it is delivered unless deleted first. */
  dueAt: Date;
  /** The create event, with the updates received during the hold merged in. */
  message: MessageCreateEvent;
}

/** A proxied message whose PluralKit identity could not be resolved yet (PluralKit unreachable). */
export interface UnresolvedProxyMessage {
  /** The proxied (webhook) message id: PluralKit answers for it indefinitely. */
  messageId: string;
  channelId: string;
  guildId: string | null;
  webhookId: string;
  /** The name the webhook message was sent with (the fallback display name). */
  webhookUsername: string;
  /** The avatar the webhook message was sent with (the fallback avatar). */
  webhookAvatarUrl: string | null;
  /** Failed lookups so far. */
  attempts: number;
  nextAttemptAt: Date;
}

/**
 * The speedbump's persistent state: channel states, users known to proxy, pending holds and
 * proxied messages waiting for their identity. Implemented by `@guildkit/store-sqlite` and
 * `@guildkit/store-postgres`; {@link createMemorySpeedbumpStore} is the in-process one.
 */
export interface SpeedbumpStore {
  getChannel(opts: { channelId: string; signal?: AbortSignal }): Promise<ChannelState | null>;
  /**
   * Every channel whose speedbump is on (a proxy webhook recorded: `webhookId` not null). Loaded
   * by `start()`, so a message in any other channel is delivered without a store read.
   */
  listActiveChannels(opts?: IoOptions): Promise<ChannelState[]>;
  /** Inserts or replaces the channel's state. */
  saveChannel(state: ChannelState, opts?: IoOptions): Promise<void>;
  /** Whether the Discord user was ever seen as the sender of a proxied message. */
  isProxyUser(opts: { userId: string; signal?: AbortSignal }): Promise<boolean>;
  /** Records (or refreshes) a Discord user seen as the sender of a proxied message. */
  saveProxyUser(opts: { userId: string; seenAt: Date; signal?: AbortSignal }): Promise<void>;
  /** Inserts or replaces the hold of `hold.messageId`. */
  saveHold(hold: PendingHold, opts?: IoOptions): Promise<void>;
  /** Removes a hold; a no-op when there is none. */
  deleteHold(opts: { messageId: string; signal?: AbortSignal }): Promise<void>;
  /** Every pending hold, earliest due first (recovery on start). */
  listHolds(opts?: IoOptions): Promise<PendingHold[]>;
  /** Inserts or replaces the unresolved entry of `item.messageId`. */
  saveUnresolved(item: UnresolvedProxyMessage, opts?: IoOptions): Promise<void>;
  /** Unresolved entries whose `nextAttemptAt` is at or before `dueBefore`, earliest first. */
  listUnresolved(opts: {
    dueBefore: Date;
    limit: number;
    signal?: AbortSignal;
  }): Promise<UnresolvedProxyMessage[]>;
  /** The earliest `nextAttemptAt` of the unresolved entries; null when there is none. */
  nextUnresolvedAt(opts?: IoOptions): Promise<Date | null>;
  deleteUnresolved(opts: { messageId: string; signal?: AbortSignal }): Promise<void>;
}

/** A PluralKit member as a relay shows it (the identity cache row). */
export interface ProxyMemberRecord {
  /** Stable key from the member uuid: `pk:<uuid>`. */
  key: string;
  memberId: string;
  memberUuid: string;
  systemId: string | null;
  systemUuid: string | null;
  /** E.g. `_pk_abcde`. */
  handle: string;
  displayName: string;
  avatarUrl: string | null;
}

/** A member not seen in a guild since `lastSeenAt`. */
export interface StaleProxyMember extends ProxyMemberRecord {
  guildId: string;
  lastSeenAt: Date;
}

/** A member a Discord user proxied in a guild, and how many other users proxied it there. */
export interface ProxiedMember extends ProxyMemberRecord {
  guildId: string;
  lastSeenAt: Date;
  /** Other Discord users of the same guild seen proxying this member. */
  otherSenders: number;
}

/**
 * PluralKit members seen per guild and who proxied them: the identity cache behind the two
 * clean-ups (members unseen for N days; members of a user who left). Implemented by the stores.
 */
export interface ProxyMemberStore {
  /** Upserts the member's identity and the (guild, member, sender) row with `seenAt`. */
  recordMemberSeen(
    opts: { member: ProxyMemberRecord; guildId: string; senderUserId: string; seenAt: Date },
    io?: IoOptions,
  ): Promise<void>;
  /** Members whose latest sighting in a guild (over every sender) is before `seenBefore`, oldest first. */
  listStaleMembers(opts: {
    seenBefore: Date;
    limit: number;
    signal?: AbortSignal;
  }): Promise<StaleProxyMember[]>;
  /** Members `userId` was seen proxying in `guildId`. */
  listMembersProxiedBy(opts: {
    guildId: string;
    userId: string;
    signal?: AbortSignal;
  }): Promise<ProxiedMember[]>;
  /** Forgets every (guild, member, sender) row of `userId` in `guildId`. */
  forgetSender(opts: { guildId: string; userId: string; signal?: AbortSignal }): Promise<void>;
  /** Forgets the members' rows in `guildId` (identity rows no guild references are removed too). */
  forgetMembers(opts: { guildId: string; memberKeys: string[]; signal?: AbortSignal }): Promise<void>;
}

/** Where delivered messages go (the relay's sink). A rejection keeps a hold and retries it. */
export type DeliverySink = (delivery: Delivery, opts?: IoOptions) => Promise<void>;
