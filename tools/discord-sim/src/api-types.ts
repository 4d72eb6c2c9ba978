/** The seeding, inspection and fault-injection surfaces of the simulator. */

import type { SimCounters, SimFault, SimRequestRecord, SimRouteKey } from "./types";
import type {
  SimApplication,
  SimBan,
  SimChannel,
  SimGuild,
  SimGuildJoin,
  SimKick,
  SimMember,
  SimOAuthCode,
  SimOAuthGrant,
  SimPkMessage,
  SimPostedMessage,
  SimRole,
  SimRoleChange,
  SimRoleConnection,
  SimRoleConnectionMetadata,
  SimTokenResponse,
  SimUser,
  SimWebhook,
} from "./world-types";

/** What `seed.guild` accepts: every field optional; seeding an existing id updates only what is given. */
export interface SimGuildSeed {
  id?: string;
  name?: string;
  botUserId?: string;
  botRolePosition?: number;
  /** Id of the bot's managed role (default: generated). */
  botRoleId?: string;
  membersIntent?: boolean;
  ownerId?: string;
  /** Permissions of the bot's managed role (default VIEW_CHANNEL, SEND_MESSAGES, MANAGE_ROLES, MANAGE_WEBHOOKS). */
  botPermissions?: string;
  /** Permissions of `@everyone` (default Discord's, which include CREATE_INSTANT_INVITE). */
  everyonePermissions?: string;
  /** False takes the bot out of the guild, true puts it back (default true for a new guild). */
  botInGuild?: boolean;
}

/** Seeding: put users, guilds, roles, members, channels, webhooks and PluralKit messages in place. */
export interface SimSeed {
  application(app: Partial<SimApplication>): SimApplication;
  user(user: Partial<SimUser> & { username: string }): SimUser;
  guild(guild: SimGuildSeed): SimGuild;
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
  /** Ban a user from a guild (a member is removed, as Discord does); Add Guild Member then answers 40007. */
  ban(ban: { guildId: string; userId: string; reason?: string | null }): SimBan;
  unban(guildId: string, userId: string): void;
  channel(channel: Partial<SimChannel> & { guildId: string }): SimChannel;
  webhook(webhook: Partial<SimWebhook> & { channelId: string }): SimWebhook;
  deleteWebhook(webhookId: string): void;
  pkMessage(message: SimPkMessage): void;
  /** The user the authorize page pre-selects (default: the first seeded non-bot user). */
  authorizingUser(userId: string): void;
  /**
   * Issue an access/refresh token pair as if `userId` had authorized `clientId` (default the first
   * application) for `scopes`, without the authorize page.
   */
  oauthGrant(grant: {
    userId: string;
    scopes: string[];
    clientId?: string;
    expiresInSeconds?: number;
  }): SimTokenResponse;
  /**
   * The user removes the application under Settings → Authorized Apps: every token of the
   * authorization stops working, and refreshing answers `invalid_grant`. Returns how many grants ended.
   */
  revokeAuthorization(opts: { userId: string; clientId?: string }): number;
  /** Replace an application's role connection metadata (validated like the PUT route). */
  roleConnectionMetadata(
    applicationId: string,
    records: SimRoleConnectionMetadata[],
  ): SimRoleConnectionMetadata[];
  /** Set a user's role connection directly (values are stored as given, as strings). */
  roleConnection(connection: {
    applicationId: string;
    userId: string;
    platformName?: string | null;
    platformUsername?: string | null;
    metadata?: Record<string, string>;
  }): SimRoleConnection;
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
  /** Every token pair issued, oldest first, with its state now (by user and/or application). */
  oauthGrants(filter?: { userId?: string; clientId?: string }): SimOAuthGrant[];
  /** The application's registered role connection metadata (empty when none). */
  roleConnectionMetadata(applicationId: string): SimRoleConnectionMetadata[];
  /** The user's role connection for the application, or `null` when none (or cleared). */
  roleConnection(applicationId: string, userId: string): SimRoleConnection | null;
  /** Every current role connection, optionally of one application. */
  roleConnections(applicationId?: string): SimRoleConnection[];
  /** Users Add Guild Member put into guilds (201 answers), oldest first. */
  joins(guildId?: string): SimGuildJoin[];
  /** Members Remove Guild Member kicked, oldest first. */
  kicks(guildId?: string): SimKick[];
  /** The guild's bans. */
  bans(guildId: string): SimBan[];
}

/** Fault injection. */
export interface SimFaults {
  set(fault: SimFault): void;
  clear(): void;
}
