import { createSeed } from "./seed";
import { compareSnowflakes, createSnowflakes } from "./snowflake";
import type {
  SimApplication,
  SimBan,
  SimChannel,
  SimGuild,
  SimGuildJoin,
  SimKick,
  SimMember,
  SimPkMessage,
  SimPostedMessage,
  SimRole,
  SimRoleChange,
  SimRoleConnection,
  SimRoleConnectionMetadata,
  SimSeed,
  SimUser,
  SimWebhook,
} from "./types";

/** A role with every optional field resolved. */
export type RoleState = Required<SimRole> & { botId: string | null };

/** A guild with its roles, members and bans; member ids are kept sortable for List Guild Members. */
export interface GuildState extends Omit<SimGuild, "botInGuild"> {
  roles: Map<string, RoleState>;
  members: Map<string, SimMember>;
  bans: Map<string, SimBan>;
  /** Member user ids in ascending numeric order (valid when `orderDirty` is false). */
  order: string[];
  orderDirty: boolean;
}

/** A message posted through a webhook, with the JSON Discord answered. */
export interface StoredMessage extends SimPostedMessage {
  guildId: string | null;
  json: Record<string, unknown>;
}

/** An issued authorization code. */
export interface OAuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  scopes: string[];
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

/** One OAuth2 access/refresh token pair of an authorization. */
export interface OAuthGrant {
  clientId: string;
  userId: string;
  scopes: string[];
  accessToken: string;
  refreshToken: string;
  issuedAt: number;
  expiresAt: number;
  /** True once the pair stopped working (refreshed away or revoked). */
  revoked: boolean;
  endedBy: "refresh" | "revoke" | null;
}

/** A seeded PluralKit message and when it was proxied. */
export interface PkEntry {
  message: SimPkMessage;
  at: number;
}

/** Everything the simulator knows. */
export interface SimState {
  now: () => number;
  nextId(): string;
  /** Lifetime of new access tokens, in seconds. */
  accessTokenTtlSeconds: number;
  applications: Map<string, SimApplication>;
  applicationsByToken: Map<string, SimApplication>;
  users: Map<string, SimUser>;
  guilds: Map<string, GuildState>;
  channels: Map<string, SimChannel>;
  webhooks: Map<string, SimWebhook>;
  messages: StoredMessage[];
  messagesById: Map<string, StoredMessage>;
  roleChanges: SimRoleChange[];
  joins: SimGuildJoin[];
  kicks: SimKick[];
  codes: Map<string, OAuthCode>;
  /** Every grant ever issued, oldest first (for inspection). */
  grants: OAuthGrant[];
  grantsByAccess: Map<string, OAuthGrant>;
  grantsByRefresh: Map<string, OAuthGrant>;
  /** Role connection metadata records by application id. */
  roleConnectionMetadata: Map<string, SimRoleConnectionMetadata[]>;
  /** Role connections by `${applicationId}:${userId}`. */
  roleConnections: Map<string, SimRoleConnection>;
  pkById: Map<string, PkEntry>;
  pkByOriginal: Map<string, PkEntry>;
  authorizingUserId: string | null;
  seed: SimSeed;
  /** Member user ids of a guild in ascending order. */
  memberOrder(guild: GuildState): string[];
  /** Removes a member (no-op when absent), keeping the sorted order. */
  dropMember(guild: GuildState, userId: string): void;
  reset(): void;
}

/** Creates the in-memory state and its seeding API. */
export function createSimState(now: () => number, opts: { accessTokenTtlSeconds: number }): SimState {
  const snowflakes = createSnowflakes(now);
  const state: SimState = {
    now,
    nextId: () => snowflakes.next(),
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds,
    applications: new Map(),
    applicationsByToken: new Map(),
    users: new Map(),
    guilds: new Map(),
    channels: new Map(),
    webhooks: new Map(),
    messages: [],
    messagesById: new Map(),
    roleChanges: [],
    joins: [],
    kicks: [],
    codes: new Map(),
    grants: [],
    grantsByAccess: new Map(),
    grantsByRefresh: new Map(),
    roleConnectionMetadata: new Map(),
    roleConnections: new Map(),
    pkById: new Map(),
    pkByOriginal: new Map(),
    authorizingUserId: null,
    seed: undefined as unknown as SimSeed,
    memberOrder(guild) {
      if (guild.orderDirty) {
        guild.order = [...guild.members.keys()].sort(compareSnowflakes);
        guild.orderDirty = false;
      }
      return guild.order;
    },
    dropMember(guild, userId) {
      if (!guild.members.delete(userId)) return;
      const order = state.memberOrder(guild);
      let lo = 0;
      let hi = order.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const cmp = compareSnowflakes(order[mid] ?? "", userId);
        if (cmp === 0) {
          order.splice(mid, 1);
          return;
        }
        if (cmp < 0) lo = mid + 1;
        else hi = mid - 1;
      }
    },
    reset() {
      for (const value of Object.values(state)) {
        if (value instanceof Map) value.clear();
        else if (Array.isArray(value)) value.length = 0;
      }
      state.authorizingUserId = null;
      snowflakes.reset();
    },
  };
  state.seed = createSeed(state, snowflakes);
  return state;
}
