import { z } from "zod";

/** The author of a message, as the gateway reports it. */
export interface MessageAuthor {
  /** User id; for a webhook message, the webhook id. */
  id: string;
  /** Username; for a webhook message, the name it was sent with. */
  username: string;
  globalName: string | null;
  /** Avatar hash; for a webhook message, the hash it was sent with. */
  avatar: string | null;
  /** True for bots and webhooks. */
  bot: boolean;
}

/**
 * A message was created (gateway `MESSAGE_CREATE`).
 *
 * @see https://discord.com/developers/docs/events/gateway-events#message-create
 */
export interface MessageCreateEvent {
  type: "create";
  id: string;
  /** The channel or thread the message is in. */
  channelId: string;
  /** For a message in a thread, the thread's parent channel; null otherwise. */
  parentId: string | null;
  guildId: string | null;
  author: MessageAuthor;
  /** Set on webhook messages (PluralKit proxies through webhooks). */
  webhookId: string | null;
  /** The application owning the webhook (PluralKit's on its proxied messages). */
  applicationId: string | null;
  content: string;
  embeds: Record<string, unknown>[];
  attachments: Record<string, unknown>[];
  /** ISO 8601 time Discord gives the message; null when unknown. */
  timestamp: string | null;
}

/**
 * A message was edited (gateway `MESSAGE_UPDATE`). Absent fields did not change.
 *
 * @see https://discord.com/developers/docs/events/gateway-events#message-update
 */
export interface MessageUpdateEvent {
  type: "update";
  id: string;
  channelId: string;
  parentId: string | null;
  guildId: string | null;
  webhookId?: string | null;
  content?: string;
  embeds?: Record<string, unknown>[];
  attachments?: Record<string, unknown>[];
  editedTimestamp?: string | null;
}

/**
 * A message was deleted (gateway `MESSAGE_DELETE`).
 *
 * @see https://discord.com/developers/docs/events/gateway-events#message-delete
 */
export interface MessageDeleteEvent {
  type: "delete";
  id: string;
  channelId: string;
  parentId: string | null;
  guildId: string | null;
}

/**
 * Several messages were deleted at once (gateway `MESSAGE_DELETE_BULK`).
 *
 * @see https://discord.com/developers/docs/events/gateway-events#message-delete-bulk
 */
export interface MessageDeleteBulkEvent {
  type: "delete_bulk";
  ids: string[];
  channelId: string;
  parentId: string | null;
  guildId: string | null;
}

/** Any event the speedbump consumes. */
export type MessageEvent =
  | MessageCreateEvent
  | MessageUpdateEvent
  | MessageDeleteEvent
  | MessageDeleteBulkEvent;

const snowflake = z.string().regex(/^\d{1,20}$/, "expected a snowflake (decimal string)");
const nullableSnowflake = snowflake.nullish().transform((v) => v ?? null);
const objects = z.array(z.record(z.string(), z.unknown()));

const place = {
  channelId: snowflake,
  parentId: nullableSnowflake,
  guildId: nullableSnowflake,
};

const authorSchema = z.object({
  id: snowflake,
  username: z.string(),
  globalName: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  avatar: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  bot: z
    .boolean()
    .optional()
    .transform((v) => v ?? false),
});

const createSchema = z.object({
  type: z.literal("create"),
  id: snowflake,
  ...place,
  author: authorSchema,
  webhookId: nullableSnowflake,
  applicationId: nullableSnowflake,
  content: z.string().default(""),
  embeds: objects.default([]),
  attachments: objects.default([]),
  timestamp: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
});

const updateSchema = z.object({
  type: z.literal("update"),
  id: snowflake,
  ...place,
  webhookId: snowflake.nullable().optional(),
  content: z.string().optional(),
  embeds: objects.optional(),
  attachments: objects.optional(),
  editedTimestamp: z.string().nullable().optional(),
});

const deleteSchema = z.object({ type: z.literal("delete"), id: snowflake, ...place });
const deleteBulkSchema = z.object({ type: z.literal("delete_bulk"), ids: z.array(snowflake), ...place });

/** The zod schema of {@link MessageEvent} (the JSON-lines format of the reference relay). */
export const messageEventSchema: z.ZodType<MessageEvent, unknown> = z.discriminatedUnion("type", [
  createSchema,
  updateSchema,
  deleteSchema,
  deleteBulkSchema,
]);

/**
 * Validates one event (e.g. a parsed JSON line). Optional fields may be omitted; they default to
 * null or empty.
 *
 * @throws {z.ZodError} when the value is not an event.
 */
export function parseMessageEvent(value: unknown): MessageEvent {
  return messageEventSchema.parse(value);
}

/** The channel whose speedbump state applies: a thread's parent, else the channel itself. */
export function routingChannelId(event: { channelId: string; parentId: string | null }): string {
  return event.parentId ?? event.channelId;
}

/** A gateway dispatch (`{ t, d }` of opcode 0). */
export interface GatewayDispatch {
  t: string;
  d: unknown;
}

const gatewayAuthor = z.object({
  id: z.string(),
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
  bot: z.boolean().optional(),
});
const gatewayMessage = z.object({
  id: z.string(),
  channel_id: z.string(),
  guild_id: z.string().nullish(),
  author: gatewayAuthor.optional(),
  webhook_id: z.string().nullish(),
  application_id: z.string().nullish(),
  content: z.string().optional(),
  embeds: objects.optional(),
  attachments: objects.optional(),
  timestamp: z.string().nullish(),
  edited_timestamp: z.string().nullish(),
});
const gatewayDelete = z.object({ id: z.string(), channel_id: z.string(), guild_id: z.string().nullish() });
const gatewayDeleteBulk = z.object({
  ids: z.array(z.string()),
  channel_id: z.string(),
  guild_id: z.string().nullish(),
});

/**
 * Converts a raw gateway dispatch into a {@link MessageEvent}; null for any other dispatch or a
 * create without an author. Gateway message events do not say a thread's parent, so the caller
 * passes what its channel cache knows (`THREAD_CREATE`, `GUILD_CREATE`).
 *
 * @see https://discord.com/developers/docs/events/gateway-events#messages
 */
export function fromGatewayDispatch(
  dispatch: GatewayDispatch,
  opts: { parentOf?: (channelId: string) => string | null } = {},
): MessageEvent | null {
  const parentOf = opts.parentOf ?? (() => null);
  switch (dispatch.t) {
    case "MESSAGE_CREATE": {
      const d = gatewayMessage.parse(dispatch.d);
      if (!d.author) return null;
      return {
        type: "create",
        id: d.id,
        channelId: d.channel_id,
        parentId: parentOf(d.channel_id),
        guildId: d.guild_id ?? null,
        author: {
          id: d.author.id,
          username: d.author.username,
          globalName: d.author.global_name ?? null,
          avatar: d.author.avatar ?? null,
          bot: d.author.bot ?? false,
        },
        webhookId: d.webhook_id ?? null,
        applicationId: d.application_id ?? null,
        content: d.content ?? "",
        embeds: d.embeds ?? [],
        attachments: d.attachments ?? [],
        timestamp: d.timestamp ?? null,
      };
    }
    case "MESSAGE_UPDATE": {
      const d = gatewayMessage.parse(dispatch.d);
      const event: MessageUpdateEvent = {
        type: "update",
        id: d.id,
        channelId: d.channel_id,
        parentId: parentOf(d.channel_id),
        guildId: d.guild_id ?? null,
      };
      if (d.webhook_id !== undefined) event.webhookId = d.webhook_id;
      if (d.content !== undefined) event.content = d.content;
      if (d.embeds !== undefined) event.embeds = d.embeds;
      if (d.attachments !== undefined) event.attachments = d.attachments;
      if (d.edited_timestamp !== undefined) event.editedTimestamp = d.edited_timestamp;
      return event;
    }
    case "MESSAGE_DELETE": {
      const d = gatewayDelete.parse(dispatch.d);
      return {
        type: "delete",
        id: d.id,
        channelId: d.channel_id,
        parentId: parentOf(d.channel_id),
        guildId: d.guild_id ?? null,
      };
    }
    case "MESSAGE_DELETE_BULK": {
      const d = gatewayDeleteBulk.parse(dispatch.d);
      return {
        type: "delete_bulk",
        ids: d.ids,
        channelId: d.channel_id,
        parentId: parentOf(d.channel_id),
        guildId: d.guild_id ?? null,
      };
    }
    default:
      return null;
  }
}

/** Applies an update's changed fields to a (held) create event, returning a new event. */
export function mergeUpdate(message: MessageCreateEvent, update: MessageUpdateEvent): MessageCreateEvent {
  return {
    ...message,
    ...(update.content !== undefined ? { content: update.content } : {}),
    ...(update.embeds !== undefined ? { embeds: update.embeds } : {}),
    ...(update.attachments !== undefined ? { attachments: update.attachments } : {}),
  };
}
