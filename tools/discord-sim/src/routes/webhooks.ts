import type { Hono } from "hono";
import type { z } from "zod";
import type { SimContext } from "../context";
import {
  CHANNEL_WRITE_LIMIT,
  DISCORD_ERRORS,
  type DiscordErrorBody,
  invalidFormBody,
  notSnowflake,
} from "../errors";
import { discordTimestamp } from "../format";
import { contentTypeInvalid, isDictionary, NOT_A_DICTIONARY, parseJsonText } from "../json-body";
import { resolveMentions } from "../mentions";
import { apiUser, apiWebhook } from "../objects";
import { hasPermission, PERMISSIONS } from "../permissions";
import { discord429, discordError, discordRoute, type SimEnv, type SimHonoContext } from "../pipeline";
import { isSnowflake } from "../snowflake";
import type { StoredMessage } from "../state";
import { stableHash } from "../tokens";
import type { SimWebhook } from "../types";
import { editWebhookMessageSchema, executeWebhookSchema, toDiscordIssue } from "../webhook-body";

/** Message flags a webhook may set: SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2. */
const SETTABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15);

type Body =
  | { ok: true; value: Record<string, unknown>; files: number }
  | { ok: false; status: number; body: DiscordErrorBody };

/** Reads a JSON or multipart (`payload_json` + `files[n]`) body the way Discord accepts them. */
async function readMessageBody(c: SimHonoContext): Promise<Body> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  let raw: string;
  let files = 0;
  if (type.startsWith("application/json")) {
    raw = await c.req.text();
  } else if (type.startsWith("multipart/form-data")) {
    const form = await c.req.parseBody({ all: true });
    raw = typeof form.payload_json === "string" ? form.payload_json : "{}";
    files = Object.keys(form).filter((key) => key.startsWith("files[") || key === "file").length;
  } else {
    return contentTypeInvalid(["application/json", "multipart/form-data"]);
  }
  const parsed = parseJsonText(raw);
  if (!parsed.ok) return parsed;
  if (!isDictionary(parsed.value)) return NOT_A_DICTIONARY;
  return { ok: true, value: parsed.value, files };
}

function parseBoolean(value: string | undefined): boolean | null | undefined {
  if (value === undefined) return undefined;
  if (["true", "True", "1"].includes(value)) return true;
  if (["false", "False", "0"].includes(value)) return false;
  return null;
}

function normaliseEmbeds(embeds: unknown[] | null | undefined): Record<string, unknown>[] {
  return (embeds ?? []).map((embed) => {
    const out: Record<string, unknown> = { type: "rich" };
    for (const [key, value] of Object.entries(embed as Record<string, unknown>)) {
      if (value !== null && value !== undefined && key !== "type") out[key] = value;
    }
    return out;
  });
}

/** Channel webhooks, Execute Webhook, Get Webhook with token, and webhook messages. */
export function registerWebhookRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;
  const byWebhook = (c: SimHonoContext) => `${c.req.param("webhook")}:${c.req.param("token")}`;

  app.get(
    "/api/v10/channels/:channel/webhooks",
    discordRoute(
      ctx,
      { route: "channel_webhooks", auth: "bot", major: (c) => c.req.param("channel") ?? "" },
      (c, principal) => {
        const channelId = c.req.param("channel") ?? "";
        if (!isSnowflake(channelId)) return c.json(notSnowflake("channel_id", channelId), 400);
        const channel = state.channels.get(channelId);
        if (!channel) return discordError(c, DISCORD_ERRORS.unknownChannel);
        const guild = state.guilds.get(channel.guildId);
        if (principal?.kind !== "bot" || !guild?.members.has(principal.userId)) {
          return discordError(c, DISCORD_ERRORS.missingAccess);
        }
        // "Requires the MANAGE_WEBHOOKS permission" (resources/webhook#get-channel-webhooks).
        if (!hasPermission(guild, principal.userId, PERMISSIONS.MANAGE_WEBHOOKS)) {
          return discordError(c, DISCORD_ERRORS.missingPermissions);
        }
        const ownApp = principal.app.clientId;
        const hooks = [...state.webhooks.values()].filter((w) => w.channelId === channelId);
        return c.json(hooks.map((w) => apiWebhook(w, w.applicationId === ownApp)));
      },
    ),
  );

  /**
   * Discord's hidden per-channel message limit (about 30 per 60 s), shared by every webhook posting
   * into the channel: a 429 with `X-RateLimit-Scope: shared`, the webhook's own bucket headers as they
   * stand, and the channel write-limit code 20028 (discord-api-docs#367, #1454, #4043, #8290). Returns
   * the 429 to answer, or null when the channel has room (then the message counts).
   * @see https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
   */
  const channelWriteLimit = (channelId: string) => {
    const limit = ctx.options.resourceLimits.channel_messages;
    if (!limit) return null;
    const window = ctx.resourceBuckets.take(`channel_messages:${channelId}`, limit);
    if (window.ok) return null;
    return { retryAfterMs: window.resetAfterMs, scope: "shared" as const, ...CHANNEL_WRITE_LIMIT };
  };

  /** The webhook named by the path, or the error to answer (50035, 10015, 50027). */
  const webhookFor = (c: SimHonoContext): SimWebhook | Response => {
    const id = c.req.param("webhook") ?? "";
    if (!isSnowflake(id)) return c.json(notSnowflake("webhook_id", id), 400);
    const webhook = state.webhooks.get(id);
    if (!webhook) return discordError(c, DISCORD_ERRORS.unknownWebhook);
    if (webhook.token !== c.req.param("token")) return discordError(c, DISCORD_ERRORS.invalidWebhookToken);
    return webhook;
  };

  /** The thread named by `thread_id` (must be a thread of the webhook's channel). */
  const threadFor = (c: SimHonoContext, webhook: SimWebhook): string | null | Response => {
    const threadId = c.req.query("thread_id");
    if (threadId === undefined) return null;
    if (!isSnowflake(threadId)) return c.json(notSnowflake("thread_id", threadId), 400);
    const thread = state.channels.get(threadId);
    if (!thread || thread.parentId !== webhook.channelId)
      return discordError(c, DISCORD_ERRORS.unknownChannel);
    return threadId;
  };

  const messageJson = (message: StoredMessage, webhook: SimWebhook, parsed: Record<string, unknown>) => {
    const mentions = (message.mentions ?? [])
      .map((id) => state.users.get(id))
      .filter((u) => u !== undefined)
      .map((u) => apiUser(u));
    const roleIds = message.guildId ? [...(state.guilds.get(message.guildId)?.roles.keys() ?? [])] : [];
    const allowedRoles = resolveMentions(message.content, parsed.allowed_mentions as never).roles.filter(
      (id) => roleIds.includes(id),
    );
    const json: Record<string, unknown> = {
      id: message.id,
      type: 0,
      content: message.content,
      channel_id: message.threadId ?? message.channelId,
      author: {
        id: webhook.id,
        username: message.username ?? webhook.name,
        avatar: message.avatarUrl ? stableHash(message.avatarUrl) : webhook.avatar,
        discriminator: "0000",
        public_flags: 0,
        flags: 0,
        bot: true,
        global_name: null,
      },
      attachments: [],
      embeds: normaliseEmbeds(parsed.embeds as unknown[] | undefined),
      mentions,
      mention_roles: allowedRoles,
      pinned: false,
      mention_everyone: message.mentionEveryone ?? false,
      tts: parsed.tts === true,
      timestamp: discordTimestamp(message.at),
      edited_timestamp: message.editedAt ? discordTimestamp(message.editedAt) : null,
      flags: typeof parsed.flags === "number" ? parsed.flags & SETTABLE_FLAGS : 0,
      components: [],
      webhook_id: webhook.id,
    };
    if (webhook.applicationId) json.application_id = webhook.applicationId;
    return json;
  };

  const isEmpty = (
    body: { content?: string | null; embeds?: unknown[] | null; components?: unknown[] | null },
    files: number,
    poll: unknown,
  ) =>
    (body.content ?? "").trim() === "" &&
    (body.embeds?.length ?? 0) === 0 &&
    (body.components?.length ?? 0) === 0 &&
    files === 0 &&
    (poll === undefined || poll === null);

  app.post(
    "/api/v10/webhooks/:webhook/:token",
    discordRoute(ctx, { route: "execute_webhook", auth: "none", major: byWebhook }, async (c) => {
      const webhook = webhookFor(c);
      if (webhook instanceof Response) return webhook;
      const wait = parseBoolean(c.req.query("wait"));
      if (wait === null) {
        return c.json(
          invalidFormBody([
            {
              path: ["wait"],
              leaf: { code: "BASE_TYPE_BOOLEAN", message: "Must be either true or false." },
            },
          ]),
          400,
        );
      }
      const thread = threadFor(c, webhook);
      if (thread instanceof Response) return thread;
      const read = await readMessageBody(c);
      if (!read.ok) return c.json(read.body, read.status as 400);
      const parsed = executeWebhookSchema.safeParse(read.value, { reportInput: true });
      if (!parsed.success) return c.json(invalidFormBody(parsed.error.issues.map(toDiscordIssue)), 400);
      const body = parsed.data;
      const attachments = read.files + (body.attachments?.length ?? 0);
      if (isEmpty(body, attachments, body.poll)) return discordError(c, DISCORD_ERRORS.emptyMessage);
      const limited = channelWriteLimit(thread ?? webhook.channelId);
      if (limited) return discord429(c, limited);
      const content = body.content ?? "";
      const mentioned = resolveMentions(content, body.allowed_mentions);
      const message: StoredMessage = {
        id: state.nextId(),
        webhookId: webhook.id,
        channelId: webhook.channelId,
        threadId: thread,
        content,
        username: body.username ?? null,
        avatarUrl: body.avatar_url ?? null,
        body: read.value,
        at: ctx.now(),
        mentions: mentioned.users.filter((id) => state.users.has(id)),
        mentionEveryone: mentioned.everyone,
        editedAt: null,
        guildId: webhook.guildId,
        json: {},
      };
      message.json = messageJson(message, webhook, body as Record<string, unknown>);
      state.messages.push(message);
      state.messagesById.set(message.id, message);
      if (!wait) return c.body(null, 204);
      return c.json(message.json, 200);
    }),
  );

  app.get(
    "/api/v10/webhooks/:webhook/:token",
    discordRoute(ctx, { route: "get_webhook", auth: "none", major: byWebhook }, (c) => {
      const webhook = webhookFor(c);
      if (webhook instanceof Response) return webhook;
      return c.json(apiWebhook(webhook, true));
    }),
  );

  /** The message named by the path, checked against the webhook and `thread_id`. */
  const messageFor = (c: SimHonoContext): { webhook: SimWebhook; message: StoredMessage } | Response => {
    const webhook = webhookFor(c);
    if (webhook instanceof Response) return webhook;
    const messageId = c.req.param("message") ?? "";
    if (!isSnowflake(messageId)) return c.json(notSnowflake("message_id", messageId), 400);
    const thread = threadFor(c, webhook);
    if (thread instanceof Response) return thread;
    const message = state.messagesById.get(messageId);
    if (!message || message.webhookId !== webhook.id || message.threadId !== thread) {
      return discordError(c, DISCORD_ERRORS.unknownMessage);
    }
    return { webhook, message };
  };

  const messageSpec = { route: "webhook_message", auth: "none", major: byWebhook } as const;

  app.get(
    "/api/v10/webhooks/:webhook/:token/messages/:message",
    discordRoute(ctx, messageSpec, (c) => {
      const found = messageFor(c);
      if (found instanceof Response) return found;
      return c.json(found.message.json);
    }),
  );

  app.patch(
    "/api/v10/webhooks/:webhook/:token/messages/:message",
    discordRoute(ctx, messageSpec, async (c) => {
      const found = messageFor(c);
      if (found instanceof Response) return found;
      const { webhook, message } = found;
      const read = await readMessageBody(c);
      if (!read.ok) return c.json(read.body, read.status as 400);
      const parsed = editWebhookMessageSchema.safeParse(read.value, { reportInput: true });
      if (!parsed.success) return c.json(invalidFormBody(parsed.error.issues.map(toDiscordIssue)), 400);
      const edit: z.infer<typeof editWebhookMessageSchema> = parsed.data;
      const previous = message.json;
      const next: Record<string, unknown> = { ...(message.body as Record<string, unknown>) };
      for (const key of ["content", "embeds", "allowed_mentions", "components", "flags"] as const) {
        if (key in read.value) next[key] = edit[key];
      }
      const content = typeof next.content === "string" ? next.content : "";
      if (
        isEmpty(
          { ...next, content } as never,
          read.files + (previous.attachments as unknown[]).length,
          undefined,
        )
      ) {
        return discordError(c, DISCORD_ERRORS.emptyMessage);
      }
      const mentioned = resolveMentions(content, next.allowed_mentions as never);
      message.content = content;
      message.body = next;
      message.mentions = mentioned.users.filter((id) => state.users.has(id));
      message.mentionEveryone = mentioned.everyone;
      message.editedAt = ctx.now();
      message.json = messageJson(message, webhook, next);
      return c.json(message.json);
    }),
  );

  app.delete(
    "/api/v10/webhooks/:webhook/:token/messages/:message",
    discordRoute(ctx, messageSpec, (c) => {
      const found = messageFor(c);
      if (found instanceof Response) return found;
      state.messagesById.delete(found.message.id);
      const index = state.messages.indexOf(found.message);
      if (index >= 0) state.messages.splice(index, 1);
      return c.body(null, 204);
    }),
  );
}
