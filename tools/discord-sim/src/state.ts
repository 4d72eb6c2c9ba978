import { DiscordSimError } from "./errors";
import { discordTimestamp, normaliseDiscordTimestamp } from "./format";
import { compareSnowflakes, createSnowflakes, isSnowflake } from "./snowflake";
import { botTokenFor, quickAvatarHash, randomToken } from "./tokens";
import type {
  SimApplication,
  SimChannel,
  SimGuild,
  SimMember,
  SimPkMessage,
  SimPostedMessage,
  SimRole,
  SimRoleChange,
  SimSeed,
  SimUser,
  SimWebhook,
} from "./types";

/** A role with every optional field resolved. */
export type RoleState = Required<SimRole> & { botId: string | null };

/** A guild with its roles and members; member ids are kept sortable for List Guild Members. */
export interface GuildState extends SimGuild {
  roles: Map<string, RoleState>;
  members: Map<string, SimMember>;
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

/** One OAuth2 authorization: the current access/refresh token pair. */
export interface OAuthGrant {
  clientId: string;
  userId: string;
  scopes: string[];
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  revoked: boolean;
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
  applications: Map<string, SimApplication>;
  applicationsByToken: Map<string, SimApplication>;
  users: Map<string, SimUser>;
  guilds: Map<string, GuildState>;
  channels: Map<string, SimChannel>;
  webhooks: Map<string, SimWebhook>;
  messages: StoredMessage[];
  messagesById: Map<string, StoredMessage>;
  roleChanges: SimRoleChange[];
  codes: Map<string, OAuthCode>;
  grantsByAccess: Map<string, OAuthGrant>;
  grantsByRefresh: Map<string, OAuthGrant>;
  pkById: Map<string, PkEntry>;
  pkByOriginal: Map<string, PkEntry>;
  authorizingUserId: string | null;
  seed: SimSeed;
  /** Member user ids of a guild in ascending order. */
  memberOrder(guild: GuildState): string[];
  /** Highest role position the bot user holds in the guild (0 when it holds none). */
  botHighestPosition(guild: GuildState, botUserId: string): number;
  reset(): void;
}

/** Permissions given to the bot's managed role: VIEW_CHANNEL, SEND_MESSAGES, MANAGE_ROLES, MANAGE_WEBHOOKS. */
const BOT_ROLE_PERMISSIONS = String((1 << 10) + (1 << 11) + (1 << 28) + (1 << 29));
/** Discord's default @everyone permissions. */
const EVERYONE_PERMISSIONS = "2248473465835073";

function requireSnowflake(field: string, value: string): string {
  if (!isSnowflake(value))
    throw new DiscordSimError("invalid_snowflake", `${field} "${value}" is not a snowflake`);
  return value;
}

function usernameFrom(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, "")
    .slice(0, 32);
  return cleaned.length >= 2 ? cleaned : "bot";
}

/** Creates the in-memory state and its seeding API. */
export function createSimState(now: () => number): SimState {
  const snowflakes = createSnowflakes(now);
  const state = {
    now,
    nextId: () => snowflakes.next(),
    applications: new Map(),
    applicationsByToken: new Map(),
    users: new Map(),
    guilds: new Map(),
    channels: new Map(),
    webhooks: new Map(),
    messages: [],
    messagesById: new Map(),
    roleChanges: [],
    codes: new Map(),
    grantsByAccess: new Map(),
    grantsByRefresh: new Map(),
    pkById: new Map(),
    pkByOriginal: new Map(),
    authorizingUserId: null,
  } as unknown as SimState;

  const addToOrder = (guild: GuildState, userId: string) => {
    const last = guild.order[guild.order.length - 1];
    guild.order.push(userId);
    if (last !== undefined && compareSnowflakes(userId, last) <= 0) guild.orderDirty = true;
  };

  const putMember = (guild: GuildState, member: SimMember) => {
    const existed = guild.members.has(member.userId);
    guild.members.set(member.userId, member);
    if (!existed) addToOrder(guild, member.userId);
  };

  const ensureUser = (userId: string, bot = false): SimUser => {
    let user = state.users.get(userId);
    if (!user) {
      user = {
        id: userId,
        username: bot ? "bot" : `user${userId.slice(-6)}`,
        global_name: null,
        avatar: null,
        email: null,
        verified: bot,
        ...(bot ? { bot: true } : {}),
      };
      state.users.set(userId, user);
    }
    return user;
  };

  const addBotMember = (guild: GuildState, botUserId: string) => {
    ensureUser(botUserId, true);
    const existing = guild.members.get(botUserId);
    if (existing) {
      if (!existing.roles.includes(guild.botRoleId)) existing.roles.push(guild.botRoleId);
      return;
    }
    putMember(guild, {
      guildId: guild.id,
      userId: botUserId,
      nick: null,
      avatar: null,
      roles: [guild.botRoleId],
      joinedAt: discordTimestamp(now()),
    });
  };

  const requireGuild = (guildId: string): GuildState => {
    const guild = state.guilds.get(guildId);
    if (!guild)
      throw new DiscordSimError("unknown_guild", `guild ${guildId} is not seeded; seed.guild() it first`);
    return guild;
  };

  const seed: SimSeed = {
    application(app) {
      const clientId = requireSnowflake("clientId", app.clientId ?? app.botUserId ?? state.nextId());
      const botUserId = requireSnowflake("botUserId", app.botUserId ?? clientId);
      const previous = state.applications.get(clientId);
      if (previous) state.applicationsByToken.delete(previous.botToken);
      const application: SimApplication = {
        clientId,
        clientSecret: app.clientSecret ?? randomToken(32),
        redirectUris: [...(app.redirectUris ?? [])],
        botToken: app.botToken ?? botTokenFor(botUserId),
        botUserId,
        name: app.name ?? "guildkit sim app",
        publicClient: app.publicClient ?? false,
      };
      state.applications.set(clientId, application);
      state.applicationsByToken.set(application.botToken, application);
      const bot = ensureUser(botUserId, true);
      if (bot.username === "bot") bot.username = usernameFrom(application.name ?? "bot");
      bot.bot = true;
      for (const guild of state.guilds.values()) {
        if (guild.botUserId === null) {
          guild.botUserId = botUserId;
          addBotMember(guild, botUserId);
        }
      }
      return { ...application, redirectUris: [...application.redirectUris] };
    },

    user(user) {
      const id = requireSnowflake("id", user.id ?? state.nextId());
      const email = user.email ?? null;
      const created: SimUser = {
        id,
        username: user.username,
        global_name: user.global_name ?? null,
        avatar: user.avatar ?? null,
        email,
        verified: user.verified ?? email !== null,
        ...(user.bot ? { bot: true } : {}),
      };
      state.users.set(id, created);
      return { ...created };
    },

    guild(guild) {
      const id = requireSnowflake("id", guild.id ?? state.nextId());
      const existing = state.guilds.get(id);
      const botUserId =
        guild.botUserId ?? existing?.botUserId ?? state.applications.values().next().value?.botUserId ?? null;
      if (botUserId !== null) requireSnowflake("botUserId", botUserId);
      const botRolePosition = guild.botRolePosition ?? existing?.botRolePosition ?? 100;
      const target: GuildState = existing ?? {
        id,
        name: guild.name ?? "sim guild",
        botUserId,
        botRoleId: requireSnowflake("botRoleId", guild.botRoleId ?? state.nextId()),
        botRolePosition,
        membersIntent: guild.membersIntent ?? true,
        roles: new Map(),
        members: new Map(),
        order: [],
        orderDirty: false,
      };
      target.name = guild.name ?? target.name;
      target.botUserId = botUserId;
      target.botRolePosition = botRolePosition;
      target.membersIntent = guild.membersIntent ?? target.membersIntent;
      state.guilds.set(id, target);
      target.roles.set(id, {
        id,
        guildId: id,
        name: "@everyone",
        position: 0,
        permissions: EVERYONE_PERMISSIONS,
        managed: false,
        mentionable: false,
        color: 0,
        hoist: false,
        botId: null,
      });
      const app = [...state.applications.values()].find((a) => a.botUserId === botUserId);
      target.roles.set(target.botRoleId, {
        id: target.botRoleId,
        guildId: id,
        name: app?.name ?? "bot",
        position: botRolePosition,
        permissions: BOT_ROLE_PERMISSIONS,
        managed: true,
        mentionable: false,
        color: 0,
        hoist: false,
        botId: botUserId,
      });
      if (botUserId !== null) addBotMember(target, botUserId);
      return {
        id,
        name: target.name,
        botUserId: target.botUserId,
        botRoleId: target.botRoleId,
        botRolePosition: target.botRolePosition,
        membersIntent: target.membersIntent,
      };
    },

    role(role) {
      const guild = requireGuild(role.guildId);
      const id = requireSnowflake("id", role.id ?? state.nextId());
      const created: RoleState = {
        id,
        guildId: guild.id,
        name: role.name,
        position: role.position,
        permissions: role.permissions ?? "0",
        managed: role.managed ?? false,
        mentionable: role.mentionable ?? false,
        color: role.color ?? 0,
        hoist: role.hoist ?? false,
        botId: null,
      };
      guild.roles.set(id, created);
      const { botId: _botId, ...out } = created;
      return out;
    },

    member(member) {
      const guild = requireGuild(member.guildId);
      const userId = requireSnowflake("userId", member.userId);
      ensureUser(userId);
      const created: SimMember = {
        guildId: guild.id,
        userId,
        nick: member.nick ?? null,
        avatar: member.avatar ?? null,
        roles: [...(member.roles ?? [])],
        joinedAt: normaliseDiscordTimestamp(member.joinedAt ?? new Date(now()).toISOString()),
      };
      putMember(guild, created);
      return { ...created, roles: [...created.roles] };
    },

    members({ guildId, count, roles, idStart, avatars = true }) {
      const guild = requireGuild(guildId);
      const start = idStart ?? BigInt(state.nextId());
      const joinedAt = discordTimestamp(now());
      const out: SimMember[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const id = (start + BigInt(i)).toString();
        if (!state.users.has(id)) {
          state.users.set(id, {
            id,
            username: `u${id}`,
            global_name: `Member ${i + 1}`,
            avatar: avatars ? quickAvatarHash(id) : null,
            email: `u${id}@example.test`,
            verified: true,
          });
        }
        const member: SimMember = {
          guildId: guild.id,
          userId: id,
          nick: null,
          avatar: null,
          roles: roles ? [...roles(i)] : [],
          joinedAt,
        };
        putMember(guild, member);
        out[i] = { ...member, roles: [...member.roles] };
      }
      // Keep generated ids (roles, messages) clear of the block just used.
      snowflakes.bump(start + BigInt(count));
      return out;
    },

    removeMember(guildId, userId) {
      const guild = state.guilds.get(guildId);
      if (!guild?.members.delete(userId)) return;
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

    channel(channel) {
      const guild = requireGuild(channel.guildId);
      const id = requireSnowflake("id", channel.id ?? state.nextId());
      const parentId = channel.parentId ?? null;
      if (parentId !== null && !state.channels.has(parentId)) {
        throw new DiscordSimError("unknown_channel", `parent channel ${parentId} is not seeded`);
      }
      const created: SimChannel = { id, guildId: guild.id, parentId, name: channel.name ?? "general" };
      state.channels.set(id, created);
      return { ...created };
    },

    webhook(webhook) {
      const channelId = requireSnowflake("channelId", webhook.channelId);
      const channel = state.channels.get(channelId);
      const id = requireSnowflake("id", webhook.id ?? state.nextId());
      const created: SimWebhook = {
        id,
        token: webhook.token ?? randomToken(68),
        channelId,
        guildId: webhook.guildId ?? channel?.guildId ?? null,
        name: webhook.name ?? "Captain Hook",
        avatar: webhook.avatar ?? null,
        applicationId: webhook.applicationId ?? null,
        type: webhook.type ?? 1,
      };
      state.webhooks.set(id, created);
      return { ...created };
    },

    deleteWebhook(webhookId) {
      state.webhooks.delete(webhookId);
    },

    pkMessage(message) {
      requireSnowflake("id", message.id);
      const entry: PkEntry = { message: structuredClone(message), at: message.at ?? now() };
      state.pkById.set(message.id, entry);
      if (message.original) state.pkByOriginal.set(message.original, entry);
    },

    authorizingUser(userId) {
      const user = state.users.get(userId);
      if (!user || user.bot) {
        throw new DiscordSimError("unknown_user", `user ${userId} is not a seeded (non-bot) user`);
      }
      state.authorizingUserId = userId;
    },
  };
  state.seed = seed;

  state.memberOrder = (guild) => {
    if (guild.orderDirty) {
      guild.order = [...guild.members.keys()].sort(compareSnowflakes);
      guild.orderDirty = false;
    }
    return guild.order;
  };

  state.botHighestPosition = (guild, botUserId) => {
    const member = guild.members.get(botUserId);
    let highest = 0;
    for (const roleId of member?.roles ?? []) {
      const role = guild.roles.get(roleId);
      if (role && role.position > highest) highest = role.position;
    }
    return highest;
  };

  state.reset = () => {
    state.applications.clear();
    state.applicationsByToken.clear();
    state.users.clear();
    state.guilds.clear();
    state.channels.clear();
    state.webhooks.clear();
    state.messages.length = 0;
    state.messagesById.clear();
    state.roleChanges.length = 0;
    state.codes.clear();
    state.grantsByAccess.clear();
    state.grantsByRefresh.clear();
    state.pkById.clear();
    state.pkByOriginal.clear();
    state.authorizingUserId = null;
    snowflakes.reset();
  };

  return state;
}
