import type { Clock, Scheduler } from "@guildkit/core";
import type {
  APIGuildMember,
  APIMessage,
  APIRole,
  APIWebhook,
  RESTPatchAPIWebhookWithTokenMessageJSONBody,
  RESTPostAPIWebhookWithTokenJSONBody,
} from "discord-api-types/v10";
import type { Dispatcher } from "undici";
import type { BanGuardOptions, BanGuardSnapshot } from "./ban-guard/guard";
import type { BucketSnapshot } from "./bucket";
import type { AvatarRequest } from "./cdn";
import type { SignalOptions } from "./defaults";
import type { RateLimiter } from "./limiter";
import type { DiscordRestObserver } from "./observer";
import type { DiscordRestLogger } from "./pipeline-config";
import type { RoleConnectionEndpoints } from "./role-connection-endpoints";
import type { DiscordRestStats } from "./stats";
import type { WebhookCredentials } from "./webhook-url";

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
  /**
   * The time source of buckets, pauses and stats (default `systemClock` of `@guildkit/core/system`);
   * tests pass fake time (`createFakeTime` of `@guildkit/core/testing`).
   */
  clock?: Clock;
  /**
   * Waits for 429 windows, the global pause and the retry backoff (default `systemScheduler`). The
   * per-attempt timeout (`timeoutMs`) is real time, whatever the scheduler.
   */
  scheduler?: Scheduler;
  /** For tests: randomness of the retry jitter (default Math.random). */
  random?: () => number;
  /**
   * The ban guard over invalid requests (401, 403, non-shared 429): slows calls from `slowAt`
   * (default 2,500 in 10 minutes) and refuses them from `stopAt` (default 5,000) with
   * `DiscordBanGuardError`, well before Discord's IP ban at 10,000. Counted in the process unless
   * `ledger` is shared (`createRedisInvalidRequestLedger`: every process of the bot). `false` turns it off.
   */
  banGuard?: BanGuardOptions | false;
  /**
   * Told of every answer (route template, status, duration), 429 (scope), retry and budget wait —
   * for metrics (`@guildkit/worker` turns them into Prometheus series). Default: none.
   */
  observer?: DiscordRestObserver;
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
export interface DiscordRest extends RoleConnectionEndpoints {
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
   * Adds a user to the guild with their OAuth2 access token (it must hold `guilds.join` and be granted
   * to this bot's application), with `roles` set in the same call. `added: false` when the user is in
   * already (Discord answers 204 and changes nothing, roles included). Refusals are `DiscordApiError`s:
   * 403 50025 (invalid token), 403 40007 (banned), 400 30001 (the user is in 100 guilds). The token
   * travels in the body only: never logged.
   * @see https://discord.com/developers/docs/resources/guild#add-guild-member
   */
  addGuildMember(
    input: {
      guildId: string;
      userId: string;
      accessToken: string;
      roles?: readonly string[];
      nick?: string | null;
    } & SignalOptions,
  ): Promise<{ added: true; member: APIGuildMember } | { added: false }>;
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
   * Kicks a member from the guild (needs Kick Members, and a role above the member's highest).
   * `reason` goes to the audit log. A user who is not in the guild fails with 404 10007 Unknown Member.
   * @see https://discord.com/developers/docs/resources/guild#remove-guild-member
   */
  removeGuildMember(
    input: { guildId: string; userId: string; reason?: string | null } & SignalOptions,
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
   * A webhook read with its token (no bot Authorization): its `channel_id` and `guild_id`, no `user`.
   * Webhook delivery reads it once per webhook to learn the channel whose message limit it shares.
   * A webhook that answered 404 Unknown Webhook is remembered, as for {@link executeWebhook}.
   * @see https://discord.com/developers/docs/resources/webhook#get-webhook-with-token
   */
  getWebhookWithToken(
    input: { webhookId: string; webhookToken: string } & SignalOptions,
  ): Promise<APIWebhook>;
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
  /** Counters: requests, 429s by scope, retries, invalid requests in the last 10 minutes, the ban guard. */
  stats(): DiscordRestStats & { banGuard: BanGuardSnapshot | null };
  /** Local buckets as last announced by Discord (keys hold no token). */
  buckets(): BucketSnapshot[];
  /** Rejects queued requests and closes the default limiter (not an injected one). */
  close(): Promise<void>;
}
