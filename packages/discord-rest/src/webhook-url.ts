import { DiscordWebhookUrlError } from "./errors";

/** A webhook's credentials, as parsed from its URL. */
export interface WebhookCredentials {
  id: string;
  /** Secret: never log it. */
  token: string;
}

/** Hosts Discord serves webhook URLs from (always over https). */
export const DISCORD_WEBHOOK_HOSTS: readonly string[] = [
  "discord.com",
  "ptb.discord.com",
  "canary.discord.com",
  "discordapp.com",
  "ptb.discordapp.com",
  "canary.discordapp.com",
];

const WEBHOOK_PATH = /^(?:\/api(?:\/v\d{1,2})?)?\/webhooks\/(\d{1,20})\/([A-Za-z0-9_-]{1,256})\/?$/;

/**
 * Parses a webhook URL into `{ id, token }`. Accepts `https://discord.com/api/webhooks/{id}/{token}`
 * and the `discordapp.com`, `ptb.` and `canary.` variants, with or without `/v10`; with `baseUrl`
 * (e.g. a simulator's `http://127.0.0.1:5000/api/v10`), URLs on that origin too. The query string
 * (`?thread_id=…`) is ignored. Throws {@link DiscordWebhookUrlError}, whose message never repeats
 * the URL.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export function parseWebhookUrl(url: string, options: { baseUrl?: string } = {}): WebhookCredentials {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new DiscordWebhookUrlError(
      "the webhook URL is not a valid URL; copy it from the channel's Integrations → Webhooks settings",
      "not_a_url",
    );
  }
  let extraOrigin: string | null = null;
  if (options.baseUrl) {
    try {
      extraOrigin = new URL(options.baseUrl).origin;
    } catch {
      extraOrigin = null;
    }
  }
  const onBase = extraOrigin !== null && parsed.origin === extraOrigin;
  if (!onBase) {
    if (!DISCORD_WEBHOOK_HOSTS.includes(parsed.hostname.toLowerCase())) {
      throw new DiscordWebhookUrlError(
        `the webhook URL's host must be one of ${DISCORD_WEBHOOK_HOSTS.join(", ")}`,
        "unknown_host",
      );
    }
    if (parsed.protocol !== "https:") {
      throw new DiscordWebhookUrlError("the webhook URL must use https", "not_https");
    }
  }
  const match = WEBHOOK_PATH.exec(parsed.pathname);
  if (!match) {
    throw new DiscordWebhookUrlError(
      "the webhook URL's path must look like /api/webhooks/<id>/<token>",
      "not_a_webhook_path",
    );
  }
  return { id: match[1]!, token: match[2]! };
}
