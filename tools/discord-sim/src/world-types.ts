/** What the simulator models: users, applications, guilds, roles, members, channels, webhooks, OAuth2 and PluralKit. */

/** A Discord user as seeded (`email`/`verified` are served only with the `email` scope). */
export interface SimUser {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
  email: string | null;
  verified: boolean;
  bot?: boolean;
  /**
   * Guilds the user is in outside the simulator. With the simulator's guilds they count towards
   * `maxGuilds`; Add Guild Member answers 400 30001 once the total reaches it.
   */
  otherGuildCount?: number;
  /** Most guilds the user may be in (Discord: 100, 200 with Nitro); default 100. */
  maxGuilds?: number;
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
  /**
   * The Server Members privileged intent, as toggled on the Bot page (default true). Off: List Guild
   * Members answers 403 50001 and the application flags lose `GATEWAY_GUILD_MEMBERS(_LIMITED)`.
   */
  membersIntent?: boolean;
  /** The Presence intent (default false). */
  presenceIntent?: boolean;
  /** The Message Content intent (default false). */
  messageContentIntent?: boolean;
  /**
   * A verified app (in 100 or more servers) reports the intents as `GATEWAY_*` flags; an unverified one
   * as `GATEWAY_*_LIMITED` (default false).
   */
  verified?: boolean;
  /** The Linked Roles verification URL set in the developer portal (default null). */
  roleConnectionsVerificationUrl?: string | null;
  /** The application's description (default ""). */
  description?: string;
  /** The owner's user id (default a generated id; the owner is not a seeded user). */
  ownerId?: string;
  /** Application flag bits added to those the intents give (default 0). */
  extraFlags?: number;
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
  /**
   * False simulates the GUILD_MEMBERS intent being off for this guild's bot: List Guild Members answers
   * 403 50001. Prefer the application's `membersIntent`, which is where Discord keeps it.
   */
  membersIntent: boolean;
  /** The guild owner's user id (bypasses every permission check; default a generated id). */
  ownerId: string;
  /** Permission bitset of the bot's managed role, as a decimal string. */
  botPermissions: string;
  /** Permission bitset of `@everyone`, as a decimal string (Discord's default for a new guild). */
  everyonePermissions: string;
  /** Whether the bot is a member (false: guild routes answer 50001, Get Guild 10004). */
  botInGuild: boolean;
}

/** A user banned from a guild (Add Guild Member answers 403 40007 for them). */
export interface SimBan {
  guildId: string;
  userId: string;
  reason: string | null;
}

/** A user Add Guild Member put into a guild (201 answers only; 204 "already a member" is not recorded). */
export interface SimGuildJoin {
  at: number;
  guildId: string;
  userId: string;
  /** The application whose bot added the user. */
  applicationId: string;
  roles: string[];
  nick: string | null;
}

/** A member Remove Guild Member kicked. */
export interface SimKick {
  at: number;
  guildId: string;
  userId: string;
  /** Decoded X-Audit-Log-Reason, if any. */
  reason: string | null;
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

/** Application Role Connection Metadata Type: 1–4 integer, 5–6 datetime, 7–8 boolean comparisons. */
export type SimRoleConnectionMetadataType = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * One application role connection metadata record, in Discord's JSON shape.
 * @see https://discord.com/developers/docs/resources/application-role-connection-metadata
 */
export interface SimRoleConnectionMetadata {
  type: SimRoleConnectionMetadataType;
  /** `a-z`, `0-9` or `_`, 1–50 characters. */
  key: string;
  /** 1–100 characters. */
  name: string;
  name_localizations?: Record<string, string>;
  /** 1–200 characters. */
  description: string;
  description_localizations?: Record<string, string>;
}

/** A user's role connection for one application, as the simulator holds it. */
export interface SimRoleConnection {
  applicationId: string;
  userId: string;
  platformName: string | null;
  platformUsername: string | null;
  /** Metadata values as Discord stores them: strings. */
  metadata: Record<string, string>;
  /** Sim time of the last write. */
  updatedAt: number;
}

/** An OAuth2 token response, as `POST /oauth2/token` answers it. */
export interface SimTokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** One issued access/refresh token pair and what became of it. */
export interface SimOAuthGrant {
  clientId: string;
  userId: string;
  scopes: string[];
  accessToken: string;
  refreshToken: string;
  issuedAt: number;
  expiresAt: number;
  /**
   * `active`; `expired` (the access token's lifetime is over; the refresh token still works);
   * `refreshed` (rotated away by a refresh); `revoked` (revoked through the API or by the user).
   */
  state: "active" | "expired" | "refreshed" | "revoked";
}
