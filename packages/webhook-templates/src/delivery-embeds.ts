import type { PreparedMessage } from "./delivery-message";
import {
  assertEmbedLimits,
  type CompiledEmbed,
  compileEmbed,
  EMBED_LIMITS,
  type Embed,
  embedSize,
} from "./embed";
import type { ExecuteWebhookBody } from "./message";
import type { ClaimedEvent } from "./ports";
import { parseRowJson } from "./row-data";
import { parseWebhookUrl, type WebhookTarget } from "./webhook-url";

/** Compiled embeds by webhook, operation and definition (at most ~1,000 kept). */
export function createEmbedCache(): (event: ClaimedEvent) => CompiledEmbed {
  const cache = new Map<string, CompiledEmbed>();
  return (event) => {
    const key = `${event.operation}\u0000${event.webhook.template}\u0000${JSON.stringify(event.webhook.embed)}`;
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = compileEmbed(event.webhook.embed ?? {}, event.webhook.template, event.operation);
      if (cache.size > 1000) cache.clear();
      cache.set(key, compiled);
    }
    return compiled;
  };
}

/** A message of one or more events of one webhook, one embed each, in their order. */
export type PreparedGroup =
  | { kind: "ready"; target: WebhookTarget; body: ExecuteWebhookBody; events: ClaimedEvent[] }
  | Exclude<PreparedMessage, { kind: "ready" }>;

/**
 * Renders the first events of a webhook's run (all of one webhook with an embed template) into one
 * message: the head, then as many following events as `coalesce` allows (at most 10) and Discord's
 * 6,000 characters across embeds leave room for, stopping at the first that does not render. A head
 * that does not render is `dead` (an invalid URL: `disable`), as a text message would be.
 */
export function prepareEmbedGroup(
  events: readonly ClaimedEvent[],
  deps: { embedFor: (event: ClaimedEvent) => CompiledEmbed; webhookBaseUrl: string | null },
): PreparedGroup {
  const head = events[0] as ClaimedEvent;
  let target: WebhookTarget;
  try {
    target = parseWebhookUrl(head.webhook.url, { baseUrl: deps.webhookBaseUrl });
  } catch (err) {
    return { kind: "disable", reason: `the stored webhook URL is invalid: ${(err as Error).message}` };
  }
  const max = Math.min(Math.max(1, head.webhook.coalesce ?? 1), EMBED_LIMITS.embedsPerMessage);
  const embeds: Embed[] = [];
  const taken: ClaimedEvent[] = [];
  let total = 0;
  for (const event of events.slice(0, max)) {
    let embed: Embed;
    try {
      embed = deps
        .embedFor(event)
        .render({ old: parseRowJson(event.oldRowJson), new: parseRowJson(event.newRowJson) });
    } catch (err) {
      if (taken.length > 0) break;
      return {
        kind: "dead",
        reason: `the embed does not fit this ${event.operation} event: ${(err as Error).message}`,
        possibleDuplicate: event.possibleDuplicate,
      };
    }
    const size = embedSize(embed);
    if (taken.length > 0 && total + size > EMBED_LIMITS.total) break;
    if (size === 0 && embed.fields === undefined && embed.url === undefined) {
      if (taken.length > 0) break;
      return {
        kind: "dead",
        reason: "the embed rendered empty (Discord refuses an empty message)",
        possibleDuplicate: false,
      };
    }
    embeds.push(embed);
    taken.push(event);
    total += size;
  }
  assertEmbedLimits(embeds);
  const body: ExecuteWebhookBody = { content: "", embeds, allowed_mentions: { parse: [] } };
  const { username, avatarUrl } = head.webhook;
  if (username !== null && username.trim() !== "") body.username = username.trim();
  if (avatarUrl !== null && avatarUrl !== "") body.avatar_url = avatarUrl;
  return { kind: "ready", target, body, events: taken };
}
