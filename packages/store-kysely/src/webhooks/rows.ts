import {
  OPERATIONS,
  type Operation,
  parseEmbedTemplate,
  type WebhookDefinition,
} from "@guildkit/webhook-templates";
import { decodeId, decodeTime } from "../codec";
import type { WebhookDialect } from "./dialect";

/** A webhook definition as stored, with its id and status. The URL holds a secret token. */
export interface StoredWebhook extends WebhookDefinition {
  id: string;
  /** Why it was disabled (by Discord's answer, an upgrade or a repair), or `null`. */
  disabledReason: string | null;
  /** Since when delivery is paused (its events accumulate), or `null`. */
  pausedAt: Date | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** A boolean column as either dialect returns it (`true` / `1`). */
export const isTrue = (value: unknown): boolean => value === true || Number(value) === 1;

/** A `discord_webhooks` row (or a claim's join of it) as a {@link StoredWebhook}. */
export function decodeWebhook(r: Record<string, unknown>): StoredWebhook {
  let mentions: string[] = [];
  try {
    const parsed = JSON.parse(String(r.mention_user_columns ?? "[]"));
    if (Array.isArray(parsed)) mentions = parsed.filter((x): x is string => typeof x === "string");
  } catch {
    mentions = [];
  }
  const op = String(r.trigger_op ?? "").toUpperCase();
  return {
    id: decodeId(r.id),
    url: String(r.webhook_url ?? ""),
    template: String(r.message_template ?? ""),
    username: r.username ? String(r.username) : null,
    avatarUrl: r.avatar_url ? String(r.avatar_url) : null,
    table: String(r.trigger_table ?? ""),
    operation: (OPERATIONS.includes(op as Operation) ? op : "INSERT") as Operation,
    when: r.when_clause ? String(r.when_clause) : null,
    enabled: isTrue(r.enabled),
    mentionUserColumns: mentions,
    retryDelaysMs: decodeDelays(r.retry_delays_ms),
    giveUpAfterMs: r.give_up_after_ms == null ? null : Number(r.give_up_after_ms),
    embed: parseEmbedTemplate(r.embed_template),
    coalesce: r.coalesce_max == null ? null : Number(r.coalesce_max),
    disabledReason: r.disabled_reason ? String(r.disabled_reason) : null,
    pausedAt: decodeTime(r.paused_at),
    createdAt: decodeTime(r.created_at),
    updatedAt: decodeTime(r.updated_at),
  };
}

/** The columns a definition writes. */
export function definitionValues(d: WebhookDefinition, dialect: WebhookDialect) {
  return {
    webhook_url: d.url,
    message_template: d.template,
    username: d.username ?? "",
    avatar_url: d.avatarUrl,
    trigger_table: d.table,
    trigger_op: d.operation,
    when_clause: d.when ?? "",
    enabled: dialect.bool(d.enabled),
    mention_user_columns: JSON.stringify(d.mentionUserColumns),
    retry_delays_ms: d.retryDelaysMs === null ? null : JSON.stringify(d.retryDelaysMs),
    give_up_after_ms: d.giveUpAfterMs,
    embed_template: d.embed === null ? null : JSON.stringify(d.embed),
    coalesce_max: d.coalesce,
  };
}

/** `retry_delays_ms` as stored (JSON text), or `null` for the default schedule (also when unreadable). */
function decodeDelays(value: unknown): number[] | null {
  if (value == null || value === "") return null;
  try {
    const parsed = JSON.parse(String(value));
    return Array.isArray(parsed) && parsed.every((n) => Number.isInteger(n) && n >= 0) ? parsed : null;
  } catch {
    return null;
  }
}
