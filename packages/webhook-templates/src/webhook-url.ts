import { DISCORD_WEBHOOK_HOSTS, type DiscordWebhookUrlFailure, parseDiscordWebhookUrl } from "@guildkit/core";
import { WebhookUrlError } from "./errors";

/** The hosts a Discord webhook URL may name (one list, in `@guildkit/core`). */
export { DISCORD_WEBHOOK_HOSTS };

/** What a webhook URL addresses. `token` is a secret: never log it. */
export interface WebhookTarget {
  webhookId: string;
  token: string;
  /** `thread_id` from the URL's query, to post into a thread; `null` when absent. */
  threadId: string | null;
}

/** Options of {@link parseWebhookUrl}. */
export interface WebhookUrlOptions {
  /**
   * An API base other than Discord's (e.g. a simulator's `http://127.0.0.1:5000/api/v10`): URLs on
   * its origin are accepted too, over http or https.
   */
  baseUrl?: string | null;
}

/**
 * Parses a Discord webhook URL (`https://discord.com/api/webhooks/{id}/{token}`, optionally with an
 * API version and `?thread_id=`) by the rules of `parseDiscordWebhookUrl` of `@guildkit/core`, or
 * throws {@link WebhookUrlError}. The URL's host only has to be
 * one of Discord's; delivery goes to whatever API base the Discord client is configured with.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export function parseWebhookUrl(url: string, options: WebhookUrlOptions = {}): WebhookTarget {
  const parsed = parseDiscordWebhookUrl(url, { baseUrl: options.baseUrl ?? null });
  if (parsed.ok) return { webhookId: parsed.webhookId, token: parsed.token, threadId: parsed.threadId };
  const message = parsed.badThreadId
    ? "webhook URL has a thread_id that is not a Discord id"
    : MESSAGES[parsed.reason];
  throw new WebhookUrlError(message, parsed.reason);
}

const MESSAGES: Record<DiscordWebhookUrlFailure, string> = {
  not_a_url: "webhook URL is not a URL; copy it from the channel's Integrations → Webhooks settings",
  unknown_host: `webhook URL must point at Discord (${DISCORD_WEBHOOK_HOSTS.slice(0, 2).join(" or ")}); copy it from the channel's Integrations → Webhooks settings`,
  not_https: "webhook URL must use https",
  not_a_webhook_path: "webhook URL must look like https://discord.com/api/webhooks/<id>/<token>",
};

/**
 * The URL with its token hidden (`https://discord.com/api/webhooks/123/****`), for API responses
 * and logs. A URL that does not parse is hidden entirely.
 */
export function maskWebhookUrl(url: string, options: WebhookUrlOptions = {}): string {
  try {
    const target = parseWebhookUrl(url, options);
    const origin = new URL(url.trim()).origin;
    return `${origin}/api/webhooks/${target.webhookId}/****${target.threadId ? `?thread_id=${target.threadId}` : ""}`;
  } catch {
    return "****";
  }
}
