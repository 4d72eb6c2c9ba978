import type { ExecuteWebhookBody } from "@guildkit/webhook-templates";
import type { IoOptions } from "../ports";
import type { SinkEditBody } from "./sink-message";

/**
 * Where relayed messages go: a Discord webhook in the reference relay (`apps/worker`), anything that
 * takes a webhook-shaped message elsewhere (a Matrix bridge, an archive). Failures follow the core's
 * error contract (`retryable`, `retryAfterMs`): a retryable one is retried, in order per channel.
 *
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export interface RelaySink {
  /** The sink's own webhook id: messages it posted are never relayed back (the echo guard). */
  readonly webhookId: string | null;
  /** Posts a message; resolves to the sink's id of it (for later edits and deletes). */
  post(opts: { body: ExecuteWebhookBody } & IoOptions): Promise<{ id: string }>;
  /** Edits a message the sink posted. */
  edit(opts: { messageId: string; body: SinkEditBody } & IoOptions): Promise<void>;
  /** Deletes a message the sink posted. */
  delete(opts: { messageId: string } & IoOptions): Promise<void>;
}

/**
 * The relay's input: one item per event, each a JSON text — the speedbump's own events
 * (`{"type":"create", …}`, see `parseMessageEvent`) or gateway dispatches (`{"t":"MESSAGE_CREATE",
 * "d":{…}}`, plus `THREAD_CREATE` / `THREAD_UPDATE`). A JSON-lines file or stream, a gateway
 * connection, a queue.
 */
export type RelayEventSource = AsyncIterable<string>;

/** A minimal logger (pino's shape). */
export interface RelayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
