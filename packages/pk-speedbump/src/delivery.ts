import type { MessageAuthor, MessageCreateEvent, MessageUpdateEvent } from "./events";
import type { PluralKitIdentity, WebhookProfile } from "./identity";

/** Who a delivered message is attributed to. */
export type MessageAttribution =
  /** A Discord user (possibly held by the speedbump first). */
  | { kind: "user"; user: MessageAuthor }
  /** PluralKit's webhook: the proxied member (or the webhook profile when unresolved). */
  | { kind: "pluralkit"; identity: PluralKitIdentity }
  /** Any other webhook. */
  | { kind: "webhook"; webhook: WebhookProfile };

/** A new message to relay. */
export interface CreateDelivery {
  type: "create";
  message: MessageCreateEvent;
  author: MessageAttribution;
  /** How long the speedbump held it (0 when delivered at once). */
  heldMs: number;
}

/** An edit of a message already relayed (or never seen: the sink ignores ids it does not know). */
export interface UpdateDelivery {
  type: "update";
  update: MessageUpdateEvent;
}

/** A deletion of a message already relayed (or never seen). */
export interface DeleteDelivery {
  type: "delete";
  messageId: string;
  channelId: string;
  parentId: string | null;
  guildId: string | null;
}

/** What the speedbump hands the sink. */
export type Delivery = CreateDelivery | UpdateDelivery | DeleteDelivery;
