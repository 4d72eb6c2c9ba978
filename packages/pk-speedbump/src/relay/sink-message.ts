import {
  codePointLength,
  type ExecuteWebhookBody,
  truncateContent,
  USERNAME_MAX,
} from "@guildkit/webhook-templates";
import type { MessageAttribution } from "../delivery";

/** The body of an edit of a relayed message (Discord edits content only). */
export type SinkEditBody = Pick<ExecuteWebhookBody, "content" | "allowed_mentions">;

/** The name and avatar a relayed message is posted under. */
export interface SinkProfile {
  username: string;
  avatarUrl: string | null;
}

/**
 * A webhook username Discord accepts (webhook-templates' `usernameProblem` finds none): "discord"
 * and "clyde" defaced, trimmed, "unknown" when empty, at most 80 code points.
 *
 * @see https://discord.com/developers/docs/resources/webhook#webhook-object
 */
export function sinkUsername(name: string): string {
  const cleaned = name
    .replace(/discord/gi, "d*scord")
    .replace(/clyde/gi, "cl*de")
    .trim();
  const username = cleaned || "unknown";
  if (codePointLength(username) <= USERNAME_MAX) return username;
  return Array.from(username).slice(0, USERNAME_MAX).join("").trimEnd();
}

/**
 * A relayed message's content: the text and the attachments' URLs, one per line, "[no text]" when
 * there is neither, cut to Discord's 2,000 code points with an ellipsis (webhook-templates'
 * `truncateContent`: never inside a grapheme).
 */
export function sinkContent(message: {
  content: string;
  attachments: readonly Record<string, unknown>[];
}): string {
  const urls = message.attachments.map((a) => a.url).filter((u): u is string => typeof u === "string");
  const text = [message.content, ...urls].filter((s) => s.length > 0).join("\n");
  return truncateContent(text || "[no text]").content;
}

/**
 * Who a relayed message shows as: the PluralKit member (name and avatar), another webhook's own
 * name and avatar, or the user's global display name (else their username) with the sink's avatar.
 */
export function sinkProfile(author: MessageAttribution): SinkProfile {
  switch (author.kind) {
    case "pluralkit":
      return { username: author.identity.displayName, avatarUrl: author.identity.avatarUrl };
    case "webhook":
      return { username: author.webhook.username, avatarUrl: author.webhook.avatarUrl };
    case "user":
      return { username: author.user.globalName ?? author.user.username, avatarUrl: null };
  }
}

/** The Execute Webhook body of a relayed message: nothing in it may ping anyone. */
export function sinkPostBody(
  message: { content: string; attachments: readonly Record<string, unknown>[] },
  author: MessageAttribution,
): ExecuteWebhookBody {
  const profile = sinkProfile(author);
  return {
    content: sinkContent(message),
    username: sinkUsername(profile.username),
    ...(profile.avatarUrl ? { avatar_url: profile.avatarUrl } : {}),
    allowed_mentions: { parse: [] },
  };
}

/** The Edit Webhook Message body of an edit of a relayed message. */
export function sinkEditBody(update: {
  content: string;
  attachments?: readonly Record<string, unknown>[] | undefined;
}): SinkEditBody {
  return {
    content: sinkContent({ content: update.content, attachments: update.attachments ?? [] }),
    allowed_mentions: { parse: [] },
  };
}
