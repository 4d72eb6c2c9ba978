import { DISCORD_WEBHOOK_HOSTS, type DiscordWebhookUrlFailure, parseDiscordWebhookUrl } from "@guildkit/core";
import { DiscordWebhookUrlError } from "./errors";

export { DISCORD_WEBHOOK_HOSTS };

/** A webhook's credentials, as parsed from its URL. */
export interface WebhookCredentials {
  id: string;
  /** Secret: never log it. */
  token: string;
}

const MESSAGES: Record<DiscordWebhookUrlFailure, string> = {
  not_a_url:
    "the webhook URL is not a valid URL; copy it from the channel's Integrations → Webhooks settings",
  unknown_host: `the webhook URL's host must be one of ${DISCORD_WEBHOOK_HOSTS.join(", ")}`,
  not_https: "the webhook URL must use https",
  not_a_webhook_path: "the webhook URL's path must look like /api/webhooks/<id>/<token>",
};

/**
 * Parses a webhook URL into `{ id, token }` by the rules of `parseDiscordWebhookUrl` of
 * `@guildkit/core` (the ones `@guildkit/webhook-templates` validates definitions with): accepts
 * `https://discord.com/api/webhooks/{id}/{token}` and the `discordapp.com`, `ptb.` and `canary.`
 * variants, with or without `/v10`, on the default port and without credentials; with `baseUrl`
 * (e.g. a simulator's `http://127.0.0.1:5000/api/v10`), URLs on that origin too. The query string
 * (`?thread_id=…`) is ignored. Throws
 * {@link DiscordWebhookUrlError}, whose message never repeats the URL.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export function parseWebhookUrl(url: string, options: { baseUrl?: string } = {}): WebhookCredentials {
  const parsed = parseDiscordWebhookUrl(url, { baseUrl: options.baseUrl ?? null, ignoreQuery: true });
  if (!parsed.ok) throw new DiscordWebhookUrlError(MESSAGES[parsed.reason], parsed.reason);
  return { id: parsed.webhookId, token: parsed.token };
}
