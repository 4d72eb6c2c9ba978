import { setTimeout as delay } from "node:timers/promises";
import type {
  APIGuildMember,
  APIMessage,
  APIRole,
  APIWebhook,
  RESTPatchAPIWebhookWithTokenMessageJSONBody,
  RESTPostAPIWebhookWithTokenJSONBody,
} from "discord-api-types/v10";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { type BucketSnapshot, createBucketRegistry } from "./bucket";
import { type AvatarRequest, buildAvatarPath } from "./cdn";
import {
  type Clock,
  DEFAULT_USER_AGENT,
  DISCORD_API_BASE_URL,
  DISCORD_CDN_BASE_URL,
  type SignalOptions,
} from "./defaults";
import { DiscordAbortError, DiscordApiError, DiscordResponseError } from "./errors";
import { createBottleneckLimiter, type RateLimiter } from "./limiter";
import { createPipeline, type DiscordRestLogger, type RawResponse } from "./request";
import { type Route, routes } from "./route";
import { describeIssues, guildMemberSchema, messageSchema, roleSchema, webhookSchema } from "./schemas";
import { createStatsRecorder, type DiscordRestStats } from "./stats";
import { parseWebhookUrl, type WebhookCredentials } from "./webhook-url";

/** Options of {@link createDiscordRest}. */
export interface DiscordRestOptions {
  /** Bot token without the `Bot ` prefix. Never logged, never in an error or stats. */
  token: string;
  /** Default `https://discord.com/api/v10`. */
  apiBaseUrl?: string;
  /** Default `https://cdn.discordapp.com`. */
  cdnBaseUrl?: string;
  /** Default `DiscordBot (https://github.com/guildkit/guildkit, <version>)`. */
  userAgent?: string;
  /** Request budget in requests per second when no `limiter` is given (default 3). */
  rps?: number;
  /** The request budget; default `createBottleneckLimiter({ rps })`. Share one between clients to share a budget. */
  limiter?: RateLimiter;
  /** Per-attempt timeout in ms (default 15 000). */
  timeoutMs?: number;
  /** Retries after a 5xx, timeout or dropped connection (default 3). 429s do not count. */
  retries?: number;
  /** 429s one request may wait out before `DiscordRateLimitError` (default 5). */
  rateLimitRetries?: number;
  /** A 429 asking to wait longer than this throws `DiscordRateLimitError` at once (default 60 000 ms). */
  maxRateLimitWaitMs?: number;
  /** undici dispatcher (Agent, Pool, MockAgent); default undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Receives `discord.rate_limited`, `discord.retry` and `discord.invalid_requests` lines. */
  logger?: DiscordRestLogger;
  /** For tests: the time source (default system time). */
  clock?: Clock;
  /** For tests: how to wait (default `timers/promises.setTimeout`); must reject when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: randomness of the retry jitter (default Math.random). */
  random?: () => number;
}

/** A page of {@link DiscordRest.listGuildMembers}. */
export interface GuildMemberPage {
  members: APIGuildMember[];
  /** Pass as `after` to get the next page; null when this page was the last. */
  nextAfter: string | null;
}

/** Input of {@link DiscordRest.executeWebhook}. */
export interface ExecuteWebhookInput extends SignalOptions {
  webhookId: string;
  /** Secret: never logged. */
  webhookToken: string;
  body: RESTPostAPIWebhookWithTokenJSONBody;
  /** Post into this thread of the webhook's channel. */
  threadId?: string | null;
}

/** An avatar image downloaded from the CDN. */
export interface AvatarImage {
  bytes: Uint8Array;
  contentType: string | null;
}

/** The Discord REST client: every endpoint guildkit uses, with budget, buckets and retries. */
export interface DiscordRest {
  /**
   * A guild member, or null when the user is not in the guild (404 10007) or does not exist (404 10013).
   * @see https://discord.com/developers/docs/resources/guild#get-guild-member
   */
  getGuildMember(input: { guildId: string; userId: string } & SignalOptions): Promise<APIGuildMember | null>;
  /**
   * One page of members, by user id ascending. Needs the Server Members intent.
   * @see https://discord.com/developers/docs/resources/guild#list-guild-members
   */
  listGuildMembers(
    input: { guildId: string; limit?: number; after?: string | null } & SignalOptions,
  ): Promise<GuildMemberPage>;
  /**
   * Every member of a guild, page by page (`pageSize` 1–1000, default 1000).
   * @see https://discord.com/developers/docs/resources/guild#list-guild-members
   */
  iterateGuildMembers(
    input: { guildId: string; pageSize?: number; after?: string | null } & SignalOptions,
  ): AsyncIterableIterator<APIGuildMember>;
  /**
   * Grants a role (idempotent). `reason` goes to the audit log (URL-encoded, cut to 512 characters).
   * @see https://discord.com/developers/docs/resources/guild#add-guild-member-role
   */
  addGuildMemberRole(
    input: { guildId: string; userId: string; roleId: string; reason?: string | null } & SignalOptions,
  ): Promise<void>;
  /**
   * Removes a role (idempotent). `reason` goes to the audit log.
   * @see https://discord.com/developers/docs/resources/guild#remove-guild-member-role
   */
  removeGuildMemberRole(
    input: { guildId: string; userId: string; roleId: string; reason?: string | null } & SignalOptions,
  ): Promise<void>;
  /**
   * Every role of a guild, @everyone included.
   * @see https://discord.com/developers/docs/resources/guild#get-guild-roles
   */
  getGuildRoles(input: { guildId: string } & SignalOptions): Promise<APIRole[]>;
  /**
   * A channel's webhooks (needs Manage Webhooks). `token` is present only for webhooks this bot's application created.
   * @see https://discord.com/developers/docs/resources/webhook#get-channel-webhooks
   */
  getChannelWebhooks(input: { channelId: string } & SignalOptions): Promise<APIWebhook[]>;
  /**
   * Posts a message through a webhook (no bot Authorization). With `wait` (default) returns the
   * message; without, null. A webhook that answered 404 Unknown Webhook is remembered and never
   * called again by this client.
   * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
   */
  executeWebhook(input: ExecuteWebhookInput & { wait?: true }): Promise<APIMessage>;
  executeWebhook(input: ExecuteWebhookInput & { wait: false }): Promise<null>;
  executeWebhook(input: ExecuteWebhookInput & { wait?: boolean }): Promise<APIMessage | null>;
  /**
   * Edits a message the webhook posted.
   * @see https://discord.com/developers/docs/resources/webhook#edit-webhook-message
   */
  editWebhookMessage(
    input: {
      webhookId: string;
      webhookToken: string;
      messageId: string;
      body: RESTPatchAPIWebhookWithTokenMessageJSONBody;
      threadId?: string | null;
    } & SignalOptions,
  ): Promise<APIMessage>;
  /**
   * Deletes a message the webhook posted; false when it was already gone (404 10008).
   * @see https://discord.com/developers/docs/resources/webhook#delete-webhook-message
   */
  deleteWebhookMessage(
    input: {
      webhookId: string;
      webhookToken: string;
      messageId: string;
      threadId?: string | null;
    } & SignalOptions,
  ): Promise<boolean>;
  /**
   * Parses a webhook URL (Discord hosts, plus this client's API origin) into `{ id, token }`.
   * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
   */
  parseWebhookUrl(url: string): WebhookCredentials;
  /**
   * The CDN URL of an avatar (guild member avatar when `guildId` is given; `a_` hashes → gif; no hash → default avatar).
   * @see https://discord.com/developers/docs/reference#image-formatting
   */
  avatarUrl(input: AvatarRequest): string;
  /**
   * Downloads an avatar from the CDN, or null on 404. CDN requests bypass the API request budget.
   * @see https://discord.com/developers/docs/reference#image-formatting
   */
  fetchAvatar(input: AvatarRequest & SignalOptions): Promise<AvatarImage | null>;
  /** Counters: requests, 429s by scope, retries, invalid requests in the last 10 minutes. */
  stats(): DiscordRestStats;
  /** Local buckets as last announced by Discord (keys hold no token). */
  buckets(): BucketSnapshot[];
  /** Rejects queued requests and closes the default limiter (not an injected one). */
  close(): Promise<void>;
}

const NO_BUDGET: RateLimiter = { schedule: (fn) => fn() };

function auditLogHeaders(reason: string | null | undefined): Record<string, string> | undefined {
  if (!reason) return undefined;
  const cut = [...reason].slice(0, 512).join("");
  return { "x-audit-log-reason": encodeURIComponent(cut) };
}

function validate<S extends z.ZodType>(schema: S, response: RawResponse, route: Route): z.output<S> {
  const parsed = schema.safeParse(response.json);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new DiscordResponseError(
    `${route.template} answered ${response.status} with an unexpected body (${issues.slice(0, 3).join("; ")})`,
    { route: route.template, status: response.status, issues },
  );
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  delay(ms, undefined, signal ? { signal } : undefined).then(() => undefined);

/**
 * Creates a Discord REST client (undici). Every request goes through the request budget (default
 * 3 starts per any second, bottleneck) and Discord's announced buckets, is retried on 5xx /
 * timeouts / dropped connections with jittered backoff, waits out 429s, and is validated with zod.
 *
 * @example
 * const discord = createDiscordRest({ token: process.env.DISCORD_BOT_TOKEN! });
 * const member = await discord.getGuildMember({ guildId, userId });
 * if (member && !member.roles.includes(roleId)) await discord.addGuildMemberRole({ guildId, userId, roleId, reason: "paid member" });
 */
export function createDiscordRest(options: DiscordRestOptions): DiscordRest {
  if (!options.token) throw new TypeError("createDiscordRest: token is required");
  const now = options.clock ? () => options.clock!.now().getTime() : () => Date.now();
  const sleep = options.sleep ?? defaultSleep;
  const ownLimiter = options.limiter ? null : createBottleneckLimiter({ rps: options.rps ?? 3 });
  const limiter = options.limiter ?? ownLimiter!;
  const apiBaseUrl = (options.apiBaseUrl ?? DISCORD_API_BASE_URL).replace(/\/+$/, "");
  const cdnBaseUrl = (options.cdnBaseUrl ?? DISCORD_CDN_BASE_URL).replace(/\/+$/, "");
  const stats = createStatsRecorder(now);
  const logger = options.logger ?? { debug() {}, warn() {} };
  const buckets = createBucketRegistry({
    now,
    setTimer(ms, fn) {
      const controller = new AbortController();
      sleep(ms, controller.signal).then(fn, () => {});
      return () => controller.abort();
    },
  });
  let closed = false;
  const common = {
    isClosed: () => closed,
    token: options.token,
    apiBaseUrl,
    cdnBaseUrl,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    timeoutMs: options.timeoutMs ?? 15_000,
    retries: options.retries ?? 3,
    rateLimitRetries: options.rateLimitRetries ?? 5,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 60_000,
    dispatcher: options.dispatcher,
    logger,
    now,
    sleep,
    random: options.random ?? Math.random,
    buckets,
    stats,
  };
  const api = createPipeline({ ...common, limiter });
  // The CDN is not part of the API's limits: no budget, same timeouts, retries and 429 handling.
  const cdn = createPipeline({ ...common, limiter: NO_BUDGET });
  /** Webhooks that answered 404 Unknown Webhook: Discord restricts clients that keep calling them. */
  const deadWebhooks = new Set<string>();

  const rememberDeadWebhook = async <T>(webhookId: string, route: Route, run: () => Promise<T>) => {
    if (deadWebhooks.has(webhookId)) {
      throw new DiscordApiError(
        `${route.template} → 404 Unknown Webhook (code 10015), remembered from an earlier answer: the webhook was deleted; do not retry — update the webhook URL or disable the definition`,
        {
          route: route.template,
          status: 404,
          code: 10015,
          retryable: false,
          discordMessage: "Unknown Webhook",
        },
      );
    }
    try {
      return await run();
    } catch (error) {
      if (error instanceof DiscordApiError && error.status === 404 && error.code === 10015) {
        deadWebhooks.add(webhookId);
      }
      throw error;
    }
  };

  const listGuildMembers: DiscordRest["listGuildMembers"] = async ({ guildId, limit, after, signal }) => {
    const pageSize = Math.min(1000, Math.max(1, Math.floor(limit ?? 1000)));
    const route = routes.listGuildMembers(guildId);
    const response = await api.send(route, {
      base: "api",
      query: { limit: pageSize, after: after ?? undefined },
      signal,
    });
    const members = validate(guildMemberSchema.array(), response, route) as unknown as APIGuildMember[];
    let nextAfter: string | null = null;
    if (members.length >= pageSize && members.length > 0) {
      nextAfter = members.reduce(
        (max, m) => (BigInt(m.user.id) > BigInt(max) ? m.user.id : max),
        members[0]!.user.id,
      );
    }
    return { members, nextAfter };
  };

  const memberRole =
    (method: "PUT" | "DELETE") =>
    async (
      input: { guildId: string; userId: string; roleId: string; reason?: string | null } & SignalOptions,
    ) => {
      const route = routes.guildMemberRole(method, input.guildId, input.userId, input.roleId);
      await api.send(route, { base: "api", headers: auditLogHeaders(input.reason), signal: input.signal });
    };

  const executeWebhook = async (
    input: ExecuteWebhookInput & { wait?: boolean },
  ): Promise<APIMessage | null> => {
    const route = routes.executeWebhook(input.webhookId, input.webhookToken);
    const wait = input.wait ?? true;
    return rememberDeadWebhook(input.webhookId, route, async () => {
      const response = await api.send(route, {
        base: "api",
        body: input.body,
        query: { wait, thread_id: input.threadId ?? undefined },
        signal: input.signal,
      });
      if (!wait || response.status === 204) return null;
      return validate(messageSchema, response, route) as unknown as APIMessage;
    });
  };

  const client: DiscordRest = {
    async getGuildMember({ guildId, userId, signal }) {
      const route = routes.getGuildMember(guildId, userId);
      try {
        const response = await api.send(route, { base: "api", signal });
        return validate(guildMemberSchema, response, route) as unknown as APIGuildMember;
      } catch (error) {
        if (
          error instanceof DiscordApiError &&
          error.status === 404 &&
          (error.code === 10007 || error.code === 10013)
        ) {
          return null;
        }
        throw error;
      }
    },
    listGuildMembers,
    async *iterateGuildMembers({ guildId, pageSize = 1000, after = null, signal }) {
      let cursor = after;
      for (;;) {
        const page = await listGuildMembers({ guildId, limit: pageSize, after: cursor, signal });
        yield* page.members;
        if (page.nextAfter === null) return;
        cursor = page.nextAfter;
      }
    },
    addGuildMemberRole: memberRole("PUT"),
    removeGuildMemberRole: memberRole("DELETE"),
    async getGuildRoles({ guildId, signal }) {
      const route = routes.getGuildRoles(guildId);
      const response = await api.send(route, { base: "api", signal });
      return validate(roleSchema.array(), response, route) as unknown as APIRole[];
    },
    async getChannelWebhooks({ channelId, signal }) {
      const route = routes.getChannelWebhooks(channelId);
      const response = await api.send(route, { base: "api", signal });
      return validate(webhookSchema.array(), response, route) as unknown as APIWebhook[];
    },
    executeWebhook: executeWebhook as DiscordRest["executeWebhook"],
    async editWebhookMessage({ webhookId, webhookToken, messageId, body, threadId, signal }) {
      const route = routes.webhookMessage("PATCH", webhookId, webhookToken, messageId);
      return rememberDeadWebhook(webhookId, route, async () => {
        const response = await api.send(route, {
          base: "api",
          body,
          query: { thread_id: threadId ?? undefined },
          signal,
        });
        return validate(messageSchema, response, route) as unknown as APIMessage;
      });
    },
    async deleteWebhookMessage({ webhookId, webhookToken, messageId, threadId, signal }) {
      const route = routes.webhookMessage("DELETE", webhookId, webhookToken, messageId);
      return rememberDeadWebhook(webhookId, route, async () => {
        try {
          await api.send(route, { base: "api", query: { thread_id: threadId ?? undefined }, signal });
          return true;
        } catch (error) {
          if (error instanceof DiscordApiError && error.status === 404 && error.code === 10008) return false;
          throw error;
        }
      });
    },
    parseWebhookUrl: (url) => parseWebhookUrl(url, { baseUrl: apiBaseUrl }),
    avatarUrl(input) {
      return cdnBaseUrl + buildAvatarPath(input).path;
    },
    async fetchAvatar(input) {
      const { path, template } = buildAvatarPath(input);
      const route = routes.cdn(path, template);
      try {
        const response = await cdn.send(route, { base: "cdn", expect: "bytes", signal: input.signal });
        return { bytes: response.bytes ?? new Uint8Array(), contentType: response.contentType };
      } catch (error) {
        if (error instanceof DiscordApiError && error.status === 404) return null;
        throw error;
      }
    },
    stats: () => stats.snapshot(api.gate.pausedUntil()),
    buckets: () => buckets.snapshot(),
    async close() {
      closed = true;
      buckets.close(new DiscordAbortError("the Discord client was closed", { route: "close" }));
      await ownLimiter?.close?.();
    },
  };
  return client;
}
