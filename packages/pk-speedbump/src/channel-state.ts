import type { MessageCreateEvent } from "./events";
import type { ChannelState, ChannelWebhook } from "./ports";

/** PluralKit's application (bot) id; its proxy webhooks carry it as `application_id`. */
export const PLURALKIT_APPLICATION_ID = "466378653216014359";

/** The state of a channel never checked: speedbump off. */
export function emptyChannelState(channelId: string): ChannelState {
  return { channelId, proxyApplicationId: null, webhookId: null, checkedAt: null };
}

/** Whether messages in the channel go through the speedbump (a proxy webhook is known there). */
export function isSpeedbumpOn(state: ChannelState | null): boolean {
  return state?.webhookId != null;
}

/**
 * Whether a message delete in the channel should re-read its webhooks: never read, or last read
 * at least `refreshIntervalMs` ago.
 */
export function needsWebhookCheck(state: ChannelState | null, now: Date, refreshIntervalMs: number): boolean {
  if (!state?.checkedAt) return true;
  return now.getTime() - state.checkedAt.getTime() >= refreshIntervalMs;
}

/**
 * The channel's state after reading its webhooks: the first webhook owned by a proxy application
 * turns the speedbump on (remembering its id and application); none turns it off.
 */
export function stateFromWebhooks(
  channelId: string,
  webhooks: readonly ChannelWebhook[],
  proxyApplicationIds: readonly string[],
  now: Date,
): ChannelState {
  const proxy = webhooks.find(
    (w) => w.applicationId !== null && proxyApplicationIds.includes(w.applicationId),
  );
  return {
    channelId,
    proxyApplicationId: proxy?.applicationId ?? null,
    webhookId: proxy?.id ?? null,
    checkedAt: now,
  };
}

/**
 * Whether a message was posted by the proxy bot's webhook: its application is a proxy
 * application, or its webhook is the one recorded for the channel.
 */
export function isProxyMessage(
  event: Pick<MessageCreateEvent, "webhookId" | "applicationId">,
  state: ChannelState | null,
  proxyApplicationIds: readonly string[],
): boolean {
  if (!event.webhookId) return false;
  if (event.applicationId && proxyApplicationIds.includes(event.applicationId)) return true;
  return state?.webhookId != null && state.webhookId === event.webhookId;
}
