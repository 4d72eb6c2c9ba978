import { type AttemptOutcome, classifySendError } from "./delivery-policy";
import { TemplateError } from "./errors";
import { buildWebhookMessage, type ExecuteWebhookBody } from "./message";
import type { ClaimedEvent, WebhookSender } from "./ports";
import { parseRowJson, type RowImage } from "./row-data";
import { type CompiledTemplate, compileTemplate } from "./template";
import { parseWebhookUrl, type WebhookTarget } from "./webhook-url";

/**
 * An event made ready to post, or why it cannot be: its webhook's URL is invalid (`disable`), its
 * template or row data does not fit (`dead`), or the message renders empty (`dead`).
 */
export type PreparedMessage =
  | { kind: "ready"; target: WebhookTarget; body: ExecuteWebhookBody; truncated: boolean }
  | { kind: "disable"; reason: string }
  | { kind: "dead"; reason: string; possibleDuplicate: boolean };

/** Compiled templates by operation and text (at most ~1,000 kept). */
export function createTemplateCache(): (event: ClaimedEvent) => CompiledTemplate {
  const templates = new Map<string, CompiledTemplate>();
  return (event) => {
    const key = `${event.operation}\u0000${event.webhook.template}`;
    let compiled = templates.get(key);
    if (!compiled) {
      compiled = compileTemplate(event.webhook.template, { columns: null, operation: event.operation });
      if (templates.size > 1000) templates.clear();
      templates.set(key, compiled);
    }
    return compiled;
  };
}

/** Renders an event's message from its stored row data, for its webhook. */
export function prepareMessage(
  event: ClaimedEvent,
  deps: { templateFor: (event: ClaimedEvent) => CompiledTemplate; webhookBaseUrl: string | null },
): PreparedMessage {
  let target: WebhookTarget;
  try {
    target = parseWebhookUrl(event.webhook.url, { baseUrl: deps.webhookBaseUrl });
  } catch (err) {
    return { kind: "disable", reason: `the stored webhook URL is invalid: ${(err as Error).message}` };
  }

  let row: RowImage;
  let compiled: CompiledTemplate;
  try {
    compiled = deps.templateFor(event);
    row = { old: parseRowJson(event.oldRowJson), new: parseRowJson(event.newRowJson) };
  } catch (err) {
    const reason =
      err instanceof TemplateError
        ? `the template does not fit this ${event.operation} event: ${err.message}`
        : `the stored row data is unreadable: ${(err as Error).message}`;
    return { kind: "dead", reason, possibleDuplicate: event.possibleDuplicate };
  }

  const message = buildWebhookMessage({
    template: compiled,
    row,
    operation: event.operation,
    username: event.webhook.username,
    avatarUrl: event.webhook.avatarUrl,
    mentionUserColumns: event.webhook.mentionUserColumns,
  });
  if (message.empty) {
    return {
      kind: "dead",
      reason: "the template rendered an empty message (Discord refuses empty content)",
      possibleDuplicate: false,
    };
  }
  return { kind: "ready", target, body: message.body, truncated: message.truncated };
}

/** Posts a prepared message once (the sender makes one attempt: see `WebhookSender`). */
export async function postMessage(
  sender: WebhookSender,
  message: Extract<PreparedMessage, { kind: "ready" }>,
): Promise<AttemptOutcome> {
  try {
    const sent = await sender.executeWebhook({
      webhookId: message.target.webhookId,
      webhookToken: message.target.token,
      threadId: message.target.threadId,
      body: message.body,
      wait: true,
    });
    return { kind: "delivered", messageId: sent?.id ?? null };
  } catch (err) {
    return classifySendError(err);
  }
}
