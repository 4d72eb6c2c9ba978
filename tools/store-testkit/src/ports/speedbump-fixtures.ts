import type { MessageCreateEvent, ProxyMemberRecord } from "@guildkit/pk-speedbump";

/** The speedbump cases' epoch. */
export const T0 = new Date("2026-11-23T12:00:00.000Z");
/** `ms` after {@link T0}. */
export const at = (ms: number) => new Date(T0.getTime() + ms);
export const DAY = 86_400_000;

/** A user's create event in channel 200 of guild 100. */
export const speedbumpMessage = (id: string, content = "hello"): MessageCreateEvent => ({
  type: "create",
  id,
  channelId: "200",
  parentId: null,
  guildId: "100",
  author: { id: "42", username: "alice", globalName: null, avatar: null, bot: false },
  webhookId: null,
  applicationId: null,
  content,
  embeds: [{ type: "link", url: "https://example.org" }],
  attachments: [],
  timestamp: null,
});

/** An unresolved proxied message due `dueMs` after {@link T0}. */
export const unresolvedItem = (messageId: string, dueMs: number) => ({
  messageId,
  channelId: "200",
  guildId: "100",
  webhookId: "300",
  webhookUsername: "Alice | sys",
  webhookAvatarUrl: null,
  attempts: 0,
  nextAttemptAt: at(dueMs),
});

/** A PluralKit member's identity record. */
export const proxyMember = (id: string, displayName = id): ProxyMemberRecord => ({
  key: `pk:uuid-${id}`,
  memberId: id,
  memberUuid: `uuid-${id}`,
  systemId: "sysxy",
  systemUuid: "sys-uuid",
  handle: `_pk_${id}`,
  displayName,
  avatarUrl: null,
});
