/**
 * The public contract of the simulator. Tests, benchmarks and the dev server use only what is
 * declared here (plus the HTTP surface that mirrors Discord and PluralKit).
 */

/** A rate-limit bucket: `limit` requests per `windowMs`. */
export interface SimBucketLimit {
  limit: number;
  windowMs: number;
}

/** Route keys the simulator limits separately (Discord groups routes into shared buckets). */
export type SimRouteKey =
  | "get_member"
  | "list_members"
  | "member_role"
  | "guild_roles"
  | "channel_webhooks"
  | "execute_webhook"
  | "users_me"
  | "oauth_token"
  | "cdn"
  | "pk_message";

export interface DiscordSimOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks an ephemeral one. */
  port?: number;
  /** Global limit per bot token per second (Discord: 50). */
  globalPerSecond?: number;
  /** Per-route bucket limits; unspecified routes use Discord-like defaults. */
  routeLimits?: Partial<Record<SimRouteKey, SimBucketLimit>>;
  /** PluralKit requests per second per client (PluralKit: 10). */
  pluralkitPerSecond?: number;
  /** Window for counting invalid (401/403/429) requests; default 10 minutes. */
  invalidWindowMs?: number;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
  /** Reject requests whose User-Agent does not start with "DiscordBot" (default false). */
  strictUserAgent?: boolean;
}

export interface SimUser {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
  email: string | null;
  verified: boolean;
  bot?: boolean;
}

export interface SimApplication {
  /** OAuth2 client id = application id. */
  clientId: string;
  clientSecret: string;
  /** Redirect URIs accepted by authorize and token exchange. */
  redirectUris: string[];
  /** Bot token (without the "Bot " prefix). */
  botToken: string;
  /** The bot's user id. */
  botUserId: string;
}

export interface SimRole {
  id: string;
  guildId: string;
  name: string;
  position: number;
}

export interface SimMember {
  guildId: string;
  userId: string;
  nick: string | null;
  /** Guild-specific avatar hash. */
  avatar: string | null;
  roles: string[];
  joinedAt: string;
}

export interface SimWebhook {
  id: string;
  token: string;
  channelId: string;
  guildId: string | null;
  name: string;
  avatar: string | null;
  /** Application that owns it (PluralKit: 466378653216014359); null for user-created. */
  applicationId: string | null;
  type: 1 | 2 | 3;
}

export interface SimChannel {
  id: string;
  guildId: string;
  /** Set for a thread: the parent channel id. */
  parentId: string | null;
  name: string;
}

/** A message created by Execute Webhook (as returned with `wait=true`). */
export interface SimPostedMessage {
  id: string;
  webhookId: string;
  channelId: string;
  threadId: string | null;
  content: string;
  username: string | null;
  avatarUrl: string | null;
  /** The request body as received (allowed_mentions, embeds, …). */
  body: Record<string, unknown>;
  at: number;
}

export interface SimRoleChange {
  at: number;
  guildId: string;
  userId: string;
  roleId: string;
  action: "add" | "remove";
  /** Decoded X-Audit-Log-Reason, if any. */
  reason: string | null;
}

export interface SimRequestRecord {
  at: number;
  method: string;
  /** Path as requested, without query. */
  path: string;
  /** Route key or "other". */
  route: SimRouteKey | "other";
  status: number;
  /** Bucket hash announced on the answer, if any. */
  bucket: string | null;
  /** The `X-RateLimit-Scope` of a 429. */
  scope?: "user" | "global" | "shared";
  /** True when the simulator injected the fault. */
  injected?: boolean;
}

/** PluralKit member as seeded (PluralKit's Member model, subset). */
export interface SimPkMember {
  id: string;
  uuid: string;
  name: string;
  display_name: string | null;
  pronouns: string | null;
  avatar_url: string | null;
  webhook_avatar_url: string | null;
  color: string | null;
}

export interface SimPkSystem {
  id: string;
  uuid: string;
  name: string | null;
  tag: string | null;
  avatar_url: string | null;
}

export interface SimPkMessage {
  /** The proxied (webhook) message id. */
  id: string;
  /** The deleted trigger message id, or "" when unknown. */
  original: string;
  sender: string;
  channel: string;
  guild: string | null;
  system: SimPkSystem | null;
  member: SimPkMember | null;
}

export interface SimFault {
  /** Route to affect, or "*" for every route. */
  route: SimRouteKey | "*";
  /** Probability 0..1 of answering 500/502/503 instead. */
  errorRate?: number;
  /** Added latency in ms before answering. */
  latencyMs?: number;
  /** Probability 0..1 of destroying the socket without an answer. */
  dropRate?: number;
  /** Answer the next `count` requests with 429 (`retryAfterMs`, optionally global). */
  force429?: { count: number; retryAfterMs: number; global?: boolean };
}

export interface SimSeed {
  application(app: Partial<SimApplication>): SimApplication;
  user(user: Partial<SimUser> & { username: string }): SimUser;
  guild(guild: { id?: string; name?: string; botUserId?: string; botRolePosition?: number }): {
    id: string;
  };
  role(role: Partial<SimRole> & { guildId: string; name: string; position: number }): SimRole;
  member(member: Partial<SimMember> & { guildId: string; userId: string }): SimMember;
  /** Seed `count` users who are members of the guild (fast path for benchmarks). */
  members(opts: {
    guildId: string;
    count: number;
    roles?: (index: number) => string[];
    idStart?: bigint;
  }): SimMember[];
  removeMember(guildId: string, userId: string): void;
  channel(channel: Partial<SimChannel> & { guildId: string }): SimChannel;
  webhook(webhook: Partial<SimWebhook> & { channelId: string }): SimWebhook;
  deleteWebhook(webhookId: string): void;
  pkMessage(message: SimPkMessage): void;
}

export interface SimInspect {
  requests(filter?: { route?: SimRouteKey; since?: number }): SimRequestRecord[];
  /** 429s served, by scope. */
  rateLimited(): { total: number; user: number; global: number; shared: number };
  invalidRequests(): number;
  messages(webhookId?: string): SimPostedMessage[];
  roleChanges(): SimRoleChange[];
  member(guildId: string, userId: string): SimMember | null;
}

export interface SimFaults {
  set(fault: SimFault): void;
  clear(): void;
}

export interface DiscordSim {
  /** Origin, e.g. http://127.0.0.1:43123 */
  url: string;
  /** Discord API base: `${url}/api/v10` */
  apiBaseUrl: string;
  /** Discord OAuth2 authorize page: `${url}/oauth2/authorize` */
  authorizeUrl: string;
  /** CDN base: `${url}/cdn` (paths as on cdn.discordapp.com) */
  cdnBaseUrl: string;
  /** PluralKit API base: `${url}/pk/v2` */
  pluralkitBaseUrl: string;
  seed: SimSeed;
  inspect: SimInspect;
  faults: SimFaults;
  /** Forget all state, logs and faults. */
  reset(): void;
  close(): Promise<void>;
}
