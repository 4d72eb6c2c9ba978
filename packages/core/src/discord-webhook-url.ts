/**
 * The one reading of a Discord webhook URL (hosts, id and token shapes, `thread_id`), shared by
 * `@guildkit/discord-rest` and `@guildkit/webhook-templates`, each of which throws its own error
 * class with its own message from the {@link DiscordWebhookUrlFailure} returned here. Pure: parses
 * with the WHATWG `URL`, no I/O.
 */

/** The hosts Discord serves webhook URLs from (always over https, on the default port). */
export const DISCORD_WEBHOOK_HOSTS: readonly string[] = Object.freeze([
  "discord.com",
  "discordapp.com",
  "ptb.discord.com",
  "canary.discord.com",
  "ptb.discordapp.com",
  "canary.discordapp.com",
]);

/** Why a URL is not a Discord webhook URL. */
export type DiscordWebhookUrlFailure = "not_a_url" | "not_https" | "unknown_host" | "not_a_webhook_path";

/** What a webhook URL addresses. `token` is a secret: never log it. */
export interface DiscordWebhookUrlParts {
  /** The webhook id (a snowflake, 1–20 digits). */
  webhookId: string;
  /** The webhook token (1–256 of `A-Z a-z 0-9 _ -`). */
  token: string;
  /** `thread_id` from the query (a snowflake), to post into a thread; `null` when absent. */
  threadId: string | null;
}

/** The outcome of {@link parseDiscordWebhookUrl}: the parts, or why the URL was refused. */
export type DiscordWebhookUrlResult =
  | ({ ok: true } & DiscordWebhookUrlParts)
  | {
      ok: false;
      reason: DiscordWebhookUrlFailure;
      /** Set when the path is fine and only `thread_id` is not a snowflake (`not_a_webhook_path`). */
      badThreadId?: true;
    };

/** Options of {@link parseDiscordWebhookUrl}. */
export interface DiscordWebhookUrlOptions {
  /**
   * An API base other than Discord's (e.g. a simulator's `http://127.0.0.1:5000/api/v10`): URLs on
   * its origin are accepted too, over http or https and on any port.
   */
  baseUrl?: string | null;
  /**
   * Leave the query alone: `threadId` is then always `null` and `thread_id` is not checked (for a
   * caller that only wants the webhook's credentials). Default false.
   */
  ignoreQuery?: boolean;
}

/** `/webhooks/{id}/{token}`, optionally under `/api` or `/api/v{n}`, with an optional trailing slash. */
const WEBHOOK_PATH = /^(?:\/api(?:\/v[0-9]{1,2})?)?\/webhooks\/([0-9]{1,20})\/([A-Za-z0-9_-]{1,256})\/?$/;
const SNOWFLAKE = /^[0-9]{17,20}$/;
const MAX_SNOWFLAKE = 2n ** 64n - 1n;

/** True when `value` is a Discord snowflake (17–20 digits, below 2^64). */
function isSnowflake(value: string): boolean {
  return SNOWFLAKE.test(value) && BigInt(value) <= MAX_SNOWFLAKE;
}

function onOrigin(url: URL, baseUrl: string | null | undefined): boolean {
  if (!baseUrl) return false;
  try {
    return new URL(baseUrl).origin === url.origin;
  } catch {
    return false;
  }
}

/**
 * Reads a Discord webhook URL: `https://discord.com/api/webhooks/{id}/{token}` (or `discordapp.com`,
 * `ptb.`, `canary.`), with or without `/api` and a version, on the default port, without
 * credentials; `?thread_id=` must be a snowflake, other query parameters are ignored. With
 * `baseUrl`, URLs on that origin pass the host and https rules. Never throws.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export function parseDiscordWebhookUrl(
  url: string,
  options: DiscordWebhookUrlOptions = {},
): DiscordWebhookUrlResult {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { ok: false, reason: "not_a_url" };
  }
  if (!onOrigin(parsed, options.baseUrl)) {
    if (!DISCORD_WEBHOOK_HOSTS.includes(parsed.hostname.toLowerCase()) || parsed.port !== "") {
      return { ok: false, reason: "unknown_host" };
    }
    if (parsed.protocol !== "https:") return { ok: false, reason: "not_https" };
  }
  const match = WEBHOOK_PATH.exec(parsed.pathname);
  if (!match || parsed.username !== "" || parsed.password !== "")
    return { ok: false, reason: "not_a_webhook_path" };
  const threadId = options.ignoreQuery ? null : parsed.searchParams.get("thread_id");
  if (threadId !== null && !isSnowflake(threadId)) {
    return { ok: false, reason: "not_a_webhook_path", badThreadId: true };
  }
  return { ok: true, webhookId: match[1] as string, token: match[2] as string, threadId };
}
