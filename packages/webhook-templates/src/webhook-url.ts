import { WebhookUrlError } from "./errors";
import { isSnowflake } from "./message";

/** The hosts a Discord webhook URL may name. */
export const DISCORD_WEBHOOK_HOSTS: readonly string[] = [
  "discord.com",
  "discordapp.com",
  "ptb.discord.com",
  "canary.discord.com",
  "ptb.discordapp.com",
  "canary.discordapp.com",
];

/** What a webhook URL addresses. `token` is a secret: never log it. */
export interface WebhookTarget {
  webhookId: string;
  token: string;
  /** `thread_id` from the URL's query, to post into a thread; `null` when absent. */
  threadId: string | null;
}

const PATH = /^(?:\/api(?:\/v[0-9]{1,2})?)?\/webhooks\/([0-9]{1,20})\/([A-Za-z0-9_-]{1,256})\/?$/;

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
 * API version and `?thread_id=`), or throws {@link WebhookUrlError}. The URL's host only has to be
 * one of Discord's; delivery goes to whatever API base the Discord client is configured with.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export function parseWebhookUrl(url: string, options: WebhookUrlOptions = {}): WebhookTarget {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new WebhookUrlError(
      "webhook URL is not a URL; copy it from the channel's Integrations → Webhooks settings",
      "not_a_url",
    );
  }
  if (!onBase(parsed, options.baseUrl ?? null)) {
    if (!DISCORD_WEBHOOK_HOSTS.includes(parsed.hostname.toLowerCase()) || parsed.port !== "") {
      throw new WebhookUrlError(
        `webhook URL must point at Discord (${DISCORD_WEBHOOK_HOSTS.slice(0, 2).join(" or ")}); copy it from the channel's Integrations → Webhooks settings`,
        "unknown_host",
      );
    }
    if (parsed.protocol !== "https:") throw new WebhookUrlError("webhook URL must use https", "not_https");
  }
  const match = PATH.exec(parsed.pathname);
  if (!match || parsed.username !== "" || parsed.password !== "") {
    throw new WebhookUrlError(
      "webhook URL must look like https://discord.com/api/webhooks/<id>/<token>",
      "not_a_webhook_path",
    );
  }
  const threadId = parsed.searchParams.get("thread_id");
  if (threadId !== null && !isSnowflake(threadId)) {
    throw new WebhookUrlError("webhook URL has a thread_id that is not a Discord id", "not_a_webhook_path");
  }
  return { webhookId: match[1] as string, token: match[2] as string, threadId };
}

function onBase(url: URL, baseUrl: string | null): boolean {
  if (!baseUrl) return false;
  try {
    return new URL(baseUrl).origin === url.origin;
  } catch {
    return false;
  }
}

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
