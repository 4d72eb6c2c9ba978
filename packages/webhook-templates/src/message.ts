import type { Embed } from "./embed";
import { defaultRow, type Operation } from "./operation";
import { type RowImage, renderValue } from "./row-data";
import type { CompiledTemplate } from "./template";
import { codePointLength, DISCORD_CONTENT_LIMIT, truncateContent } from "./truncate";

export { codePointLength, DISCORD_CONTENT_LIMIT, truncateContent } from "./truncate";

/** The shortest webhook username override Discord accepts, in code points. */
export const USERNAME_MIN = 1;
/** The longest webhook username override Discord accepts, in code points. */
export const USERNAME_MAX = 80;
/** The most user ids `allowed_mentions.users` may list. */
export const MAX_ALLOWED_USERS = 100;

/** The most UTF-16 code units of rendered text a message is built from. */
export const RENDER_CAP = 2 * (DISCORD_CONTENT_LIMIT + 1);
const SNOWFLAKE = /^[0-9]{17,20}$/;
const MAX_SNOWFLAKE = (1n << 64n) - 1n;

/**
 * The JSON body of Execute Webhook as guildkit sends it.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export interface ExecuteWebhookBody {
  content: string;
  /** A webhook with an embed template: one embed per event (`content` is then empty). */
  embeds?: Embed[];
  username?: string;
  avatar_url?: string;
  /** Always present: `{ parse: [] }`, plus `users` for the opted-in mention columns. */
  allowed_mentions: { parse: []; users?: string[] };
}

/** A message ready to send, and what happened to it on the way. */
export interface BuiltMessage {
  body: ExecuteWebhookBody;
  /** True when the rendered content was longer than 2,000 code points and was cut. */
  truncated: boolean;
  /** True when the rendered content is empty or only whitespace (Discord refuses it: 50006). */
  empty: boolean;
}

/** What {@link buildWebhookMessage} needs. */
export interface BuildMessageInput {
  template: CompiledTemplate;
  row: RowImage;
  operation: Operation;
  /** Display name override; `null` keeps the webhook's own name. */
  username: string | null;
  /** Avatar override; `null` keeps the webhook's own avatar. */
  avatarUrl: string | null;
  /**
   * Columns holding Discord user ids whose users this message may ping (opt-in). Read from the new
   * row (the old one for DELETE); only valid snowflakes are listed. The content must still contain
   * `<@id>` for Discord to ping.
   */
  mentionUserColumns?: readonly string[];
}

/** True when `value` is a Discord snowflake (17–20 digits, below 2^64). */
export function isSnowflake(value: string): boolean {
  return SNOWFLAKE.test(value) && BigInt(value) <= MAX_SNOWFLAKE;
}

/**
 * Checks a webhook username override against Discord's rules: 1–80 characters after trimming, and
 * not containing "clyde" or "discord" in any case. Returns the problem, or `null` when valid.
 *
 * @see https://discord.com/developers/docs/resources/webhook#webhook-object
 */
export function usernameProblem(username: string): string | null {
  const trimmed = username.trim();
  const length = codePointLength(trimmed);
  if (length < USERNAME_MIN) return "username is empty";
  if (length > USERNAME_MAX)
    return `username is ${length} characters long; Discord allows at most ${USERNAME_MAX}`;
  const lower = trimmed.toLowerCase();
  for (const word of ["clyde", "discord"]) {
    if (lower.includes(word)) return `username may not contain "${word}" (Discord refuses it)`;
  }
  return null;
}

/**
 * Renders a message for Execute Webhook: the template over the row, cut to 2,000 code points with an
 * ellipsis, the configured username and avatar, and `allowed_mentions` that lets nothing in the row
 * data ping anyone (`{"parse": []}`) except the users of the opted-in mention columns.
 *
 * @see https://discord.com/developers/docs/resources/message#allowed-mentions-object
 */
export function buildWebhookMessage(input: BuildMessageInput): BuiltMessage {
  // 2 × (limit + 1) code units hold more than `limit` code points whatever they are, so the cut
  // below sees the same text as a full rendering would give it, and a 5 MB value costs no more.
  const rendered = input.template.render(input.row, { maxLength: RENDER_CAP });
  const { content, truncated } = truncateContent(rendered);
  const body: ExecuteWebhookBody = { content, allowed_mentions: { parse: [] } };
  if (input.username !== null && input.username.trim() !== "") body.username = input.username.trim();
  if (input.avatarUrl !== null && input.avatarUrl !== "") body.avatar_url = input.avatarUrl;

  const columns = input.mentionUserColumns ?? [];
  if (columns.length > 0) {
    const image = defaultRow(input.operation) === "new" ? input.row.new : input.row.old;
    const users: string[] = [];
    for (const column of columns) {
      const id = renderValue(image?.[column]).trim();
      if (isSnowflake(id) && !users.includes(id) && users.length < MAX_ALLOWED_USERS) users.push(id);
    }
    if (users.length > 0) body.allowed_mentions = { parse: [], users };
  }
  return { body, truncated, empty: content.trim() === "" };
}
