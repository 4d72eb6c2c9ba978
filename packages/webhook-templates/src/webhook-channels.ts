import { type AttemptOutcome, classifySendError } from "./delivery-policy";
import type { Clock, IoOptions } from "./ports";
import type { WebhookTarget } from "./webhook-url";

/**
 * Reads a webhook with its token, for its channel. `@guildkit/discord-rest`'s client satisfies it
 * as it is. Failures are thrown as for {@link WebhookSender} (`@guildkit/core`'s error contract).
 *
 * @see https://discord.com/developers/docs/resources/webhook#get-webhook-with-token
 */
export interface WebhookChannelLookup {
  getWebhookWithToken(
    input: {
      webhookId: string;
      /** Secret: never logged. */
      webhookToken: string;
    } & IoOptions,
  ): Promise<{ channel_id: string | null }>;
}

/** How long a failed channel lookup is not tried again (the webhook counts as a channel of its own meanwhile). */
export const CHANNEL_LOOKUP_RETRY_MS = 60_000;

/**
 * Where a webhook's messages land, as the channel budget keys them: `channel:<id>` (a thread of the
 * URL's `thread_id` is a channel of its own), or `webhook:<id>` when the channel is not known (the
 * lookup failed, or the webhook has none); or the webhook is gone (404 / 401 on the lookup).
 */
export type ChannelOfWebhook =
  | { kind: "channel"; key: string }
  | { kind: "gone"; outcome: Extract<AttemptOutcome, { kind: "gone" }> };

/**
 * Learns each webhook's channel once (`GET /webhooks/{id}/{token}`) and keeps it in memory for the
 * process, per webhook id and token (a new URL is looked up again). A lookup that fails for another
 * reason than a gone webhook is tried again after {@link CHANNEL_LOOKUP_RETRY_MS}.
 */
export function createChannelResolver(deps: {
  lookup: WebhookChannelLookup | null;
  clock: Clock;
  retryMs?: number;
}) {
  const retryMs = deps.retryMs ?? CHANNEL_LOOKUP_RETRY_MS;
  const known = new Map<string, { key: string; until: number }>();
  let lookups = 0;

  const resolve = async (target: WebhookTarget, io: IoOptions = {}): Promise<ChannelOfWebhook> => {
    if (target.threadId) return { kind: "channel", key: `channel:${target.threadId}` };
    const fallback = `webhook:${target.webhookId}`;
    if (!deps.lookup) return { kind: "channel", key: fallback };
    const cacheKey = `${target.webhookId}\u0000${target.token}`;
    const now = deps.clock.now().getTime();
    const cached = known.get(cacheKey);
    if (cached && cached.until > now) return { kind: "channel", key: cached.key };
    if (known.size > 10_000) known.clear();
    lookups++;
    try {
      const webhook = await deps.lookup.getWebhookWithToken({
        webhookId: target.webhookId,
        webhookToken: target.token,
        signal: io.signal,
      });
      const key = webhook.channel_id ? `channel:${webhook.channel_id}` : fallback;
      known.set(cacheKey, { key, until: Number.POSITIVE_INFINITY });
      return { kind: "channel", key };
    } catch (err) {
      const outcome = classifySendError(err);
      if (outcome.kind === "gone") return { kind: "gone", outcome };
      known.set(cacheKey, { key: fallback, until: now + retryMs });
      return { kind: "channel", key: fallback };
    }
  };

  return {
    resolve,
    /** Lookups made so far (requests to Discord). */
    lookups: () => lookups,
  };
}
