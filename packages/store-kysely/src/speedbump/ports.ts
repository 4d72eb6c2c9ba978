/**
 * The speedbump ports of `@guildkit/pk-speedbump` as the stores implement them, declared here
 * structurally instead of imported: pk-speedbump is an optional peer of the stores, and a project
 * that does not install it must still type-check the stores' `.d.ts` with `skipLibCheck: false`.
 * A store's `speedbump` is passed to `createSpeedbump` as it is — same shape, so the types are
 * interchangeable. `feature-ports.test.ts` fails the typecheck when a declaration here and its
 * original in pk-speedbump (`ports.ts`, `events.ts`) differ in any way; the documentation of each
 * member is pk-speedbump's.
 */
import type { IoOptions } from "@guildkit/core";

/** The author of a message, as the gateway reports it. */
export interface MessageAuthor {
  id: string;
  username: string;
  globalName: string | null;
  avatar: string | null;
  bot: boolean;
}

/** A message was created (gateway `MESSAGE_CREATE`), as pk-speedbump's `MessageCreateEvent`. */
export interface MessageCreateEvent {
  type: "create";
  id: string;
  channelId: string;
  parentId: string | null;
  guildId: string | null;
  author: MessageAuthor;
  webhookId: string | null;
  applicationId: string | null;
  content: string;
  embeds: Record<string, unknown>[];
  attachments: Record<string, unknown>[];
  timestamp: string | null;
}

/** Per channel (a thread's parent): what the speedbump knows about the proxy bot there. */
export interface ChannelState {
  channelId: string;
  proxyApplicationId: string | null;
  webhookId: string | null;
  checkedAt: Date | null;
}

/** A message held by the speedbump, persisted with its due time so it survives a restart. */
export interface PendingHold {
  messageId: string;
  channelId: string;
  heldAt: Date;
  dueAt: Date;
  message: MessageCreateEvent;
}

/** A proxied message whose PluralKit identity could not be resolved yet. */
export interface UnresolvedProxyMessage {
  messageId: string;
  channelId: string;
  guildId: string | null;
  webhookId: string;
  webhookUsername: string;
  webhookAvatarUrl: string | null;
  attempts: number;
  nextAttemptAt: Date;
}

/** The speedbump's persistent state (pk-speedbump's `SpeedbumpStore`). */
export interface SpeedbumpStore {
  getChannel(opts: { channelId: string; signal?: AbortSignal }): Promise<ChannelState | null>;
  listActiveChannels(opts?: IoOptions): Promise<ChannelState[]>;
  saveChannel(state: ChannelState, opts?: IoOptions): Promise<void>;
  isProxyUser(opts: { userId: string; signal?: AbortSignal }): Promise<boolean>;
  saveProxyUser(opts: { userId: string; seenAt: Date; signal?: AbortSignal }): Promise<void>;
  saveHold(hold: PendingHold, opts?: IoOptions): Promise<void>;
  deleteHold(opts: { messageId: string; signal?: AbortSignal }): Promise<void>;
  listHolds(opts?: IoOptions): Promise<PendingHold[]>;
  saveUnresolved(item: UnresolvedProxyMessage, opts?: IoOptions): Promise<void>;
  listUnresolved(opts: {
    dueBefore: Date;
    limit: number;
    signal?: AbortSignal;
  }): Promise<UnresolvedProxyMessage[]>;
  nextUnresolvedAt(opts?: IoOptions): Promise<Date | null>;
  deleteUnresolved(opts: { messageId: string; signal?: AbortSignal }): Promise<void>;
}

/** A PluralKit member as a relay shows it (the identity cache row). */
export interface ProxyMemberRecord {
  key: string;
  memberId: string;
  memberUuid: string;
  systemId: string | null;
  systemUuid: string | null;
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
  otherSenders: number;
}

/** PluralKit members seen per guild and who proxied them (pk-speedbump's `ProxyMemberStore`). */
export interface ProxyMemberStore {
  recordMemberSeen(
    opts: { member: ProxyMemberRecord; guildId: string; senderUserId: string; seenAt: Date },
    io?: IoOptions,
  ): Promise<void>;
  listStaleMembers(opts: {
    seenBefore: Date;
    limit: number;
    signal?: AbortSignal;
  }): Promise<StaleProxyMember[]>;
  listMembersProxiedBy(opts: {
    guildId: string;
    userId: string;
    signal?: AbortSignal;
  }): Promise<ProxiedMember[]>;
  forgetSender(opts: { guildId: string; userId: string; signal?: AbortSignal }): Promise<void>;
  forgetMembers(opts: { guildId: string; memberKeys: string[]; signal?: AbortSignal }): Promise<void>;
}
