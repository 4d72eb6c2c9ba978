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
  | "pk_message"
  /** `GET /webhooks/{id}/{token}` (added by the simulator). */
  | "get_webhook"
  /** `GET`/`PATCH`/`DELETE /webhooks/{id}/{token}/messages/{message_id}` (added by the simulator). */
  | "webhook_message";

/** Options of `startDiscordSim`; every limit defaults to a Discord-like value (see the README). */
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
  /** Seed of the PRNG behind fault injection (default 0x5eed), so runs are reproducible. */
  randomSeed?: number;
  /** Maximum number of request records kept for `inspect.requests` (default 500,000). */
  requestLogCap?: number;
}

/** A Discord user as seeded (`email`/`verified` are served only with the `email` scope). */
export interface SimUser {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
  email: string | null;
  verified: boolean;
  bot?: boolean;
}

/** An OAuth2 application with its bot. */
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
  /** Application name shown on the authorize page (default "guildkit sim app"). */
  name?: string;
  /** A public client may exchange a code without the secret when it used PKCE (default false). */
  publicClient?: boolean;
}

/** A guild role; the bot may only grant roles positioned below its highest role. */
export interface SimRole {
  id: string;
  guildId: string;
  name: string;
  position: number;
  /** Permission bitset as a decimal string (default "0"). */
  permissions?: string;
  /** Managed by an integration or bot (the bot's own role is). */
  managed?: boolean;
  mentionable?: boolean;
  color?: number;
  hoist?: boolean;
}

/** A seeded guild. */
export interface SimGuild {
  id: string;
  name: string;
  /** The bot user in this guild; null until an application is seeded. */
  botUserId: string | null;
  /** The bot's managed role (its highest role). */
  botRoleId: string;
  /** Position of the bot's highest role; roles at or above it answer 403 50013. */
  botRolePosition: number;
  /** False simulates the GUILD_MEMBERS intent being off: List Guild Members answers 403 50001. */
  membersIntent: boolean;
}

/** A guild member (the user must exist; `seed.member` creates a placeholder user if not). */
export interface SimMember {
  guildId: string;
  userId: string;
  nick: string | null;
  /** Guild-specific avatar hash. */
  avatar: string | null;
  roles: string[];
  joinedAt: string;
}

/** An incoming (type 1), channel-follower (2) or application (3) webhook. */
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

/** A guild text channel, or a thread when `parentId` is set. */
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
  /** User ids pinged (what `mentions` reported). */
  mentions?: string[];
  /** Whether @everyone/@here pinged. */
  mentionEveryone?: boolean;
  /** Sim time of the last PATCH, or null. */
  editedAt?: number | null;
}

/** One role actually added or removed through the API (idempotent no-ops are not recorded). */
export interface SimRoleChange {
  at: number;
  guildId: string;
  userId: string;
  roleId: string;
  action: "add" | "remove";
  /** Decoded X-Audit-Log-Reason, if any. */
  reason: string | null;
}

/** An authorization code the authorize page issued, as the token endpoint will check it. */
export interface SimOAuthCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  scopes: string[];
  /** The PKCE S256 challenge sent to the authorize page, or `null` (no PKCE). */
  codeChallenge: string | null;
  /** Whether the code was redeemed. */
  used: boolean;
}

/** One request the simulator answered (`status` 0 = connection dropped by a fault). */
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

/** Running totals over every request ever served (they survive the request-log cap). */
export interface SimCounters {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
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
  description?: string | null;
  birthday?: string | null;
  banner?: string | null;
  created?: string | null;
  proxy_tags?: { prefix: string | null; suffix: string | null }[];
}

/** PluralKit system as seeded (PluralKit's System model, subset). */
export interface SimPkSystem {
  id: string;
  uuid: string;
  name: string | null;
  tag: string | null;
  avatar_url: string | null;
  description?: string | null;
  pronouns?: string | null;
  banner?: string | null;
  color?: string | null;
  created?: string;
}

/** A proxied message known to PluralKit. */
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
  /** Sim time (epoch ms) the message was proxied; default now. The original id resolves for 30 min after it. */
  at?: number;
}

/** A fault to inject on one route (or all). Setting a fault for a route replaces the previous one. */
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
  force429?: { count: number; retryAfterMs: number; global?: boolean; scope?: "user" | "shared" };
  /** Statuses `errorRate` picks from (default [500, 502, 503]). */
  errorStatuses?: number[];
}

/** Seeding: put users, guilds, roles, members, channels, webhooks and PluralKit messages in place. */
export interface SimSeed {
  application(app: Partial<SimApplication>): SimApplication;
  user(user: Partial<SimUser> & { username: string }): SimUser;
  guild(guild: {
    id?: string;
    name?: string;
    botUserId?: string;
    botRolePosition?: number;
    /** Id of the bot's managed role (default: generated). */
    botRoleId?: string;
    membersIntent?: boolean;
  }): SimGuild;
  role(role: Partial<SimRole> & { guildId: string; name: string; position: number }): SimRole;
  member(member: Partial<SimMember> & { guildId: string; userId: string }): SimMember;
  /** Seed `count` users who are members of the guild (fast path for benchmarks). */
  members(opts: {
    guildId: string;
    count: number;
    roles?: (index: number) => string[];
    idStart?: bigint;
    /** Give each seeded user a deterministic avatar hash (default true). */
    avatars?: boolean;
  }): SimMember[];
  removeMember(guildId: string, userId: string): void;
  channel(channel: Partial<SimChannel> & { guildId: string }): SimChannel;
  webhook(webhook: Partial<SimWebhook> & { channelId: string }): SimWebhook;
  deleteWebhook(webhookId: string): void;
  pkMessage(message: SimPkMessage): void;
  /** The user the authorize page pre-selects (default: the first seeded non-bot user). */
  authorizingUser(userId: string): void;
}

/** Inspection: what the simulator served and what changed. */
export interface SimInspect {
  requests(filter?: { route?: SimRouteKey; since?: number }): SimRequestRecord[];
  /** 429s served, by scope. */
  rateLimited(): {
    total: number;
    user: number;
    global: number;
    shared: number;
    /** PluralKit 429s (not in `total`). */
    pluralkit: number;
    /** CDN 429s (not in `total`). */
    cdn: number;
  };
  invalidRequests(): number;
  messages(webhookId?: string): SimPostedMessage[];
  roleChanges(): SimRoleChange[];
  member(guildId: string, userId: string): SimMember | null;
  user(userId: string): SimUser | null;
  counters(): SimCounters;
  /** The authorization code `code` (with the PKCE challenge it was issued for), or `null`. */
  oauthCode(code: string): SimOAuthCode | null;
}

/** Fault injection. */
export interface SimFaults {
  set(fault: SimFault): void;
  clear(): void;
}

/** A running simulator (see `startDiscordSim`). */
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
  /**
   * Act as the browser on the authorize page: validate `authorizeUrl` like `GET /oauth2/authorize`,
   * then press Authorize as `userId` (default the authorizing user) or Cancel (`deny`). Resolves
   * to the redirect location; rejects with `DiscordSimError` where Discord shows an error page.
   */
  authorize(authorizeUrl: string, opts?: { userId?: string; deny?: boolean }): Promise<string>;
  /** Forget all state, logs and faults. */
  reset(): void;
  close(): Promise<void>;
}
