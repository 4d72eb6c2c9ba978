import { DiscordSimError } from "./errors";
import { issueGrant, revokeAuthorization } from "./oauth-grants";
import { checkMetadataRecords } from "./role-connection-body";
import { createGuildSeed, requireSnowflake } from "./seed-guild";
import type { GuildState, PkEntry, SimState } from "./state";
import { botTokenFor, randomToken } from "./tokens";
import type { SimApplication, SimChannel, SimSeed, SimUser, SimWebhook } from "./types";

function usernameFrom(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, "")
    .slice(0, 32);
  return cleaned.length >= 2 ? cleaned : "bot";
}

/** The application `clientId` names, the first one when omitted, or `DiscordSimError`. */
function applicationFor(state: SimState, clientId: string | undefined): SimApplication {
  const app = clientId ? state.applications.get(clientId) : state.applications.values().next().value;
  if (!app) throw new DiscordSimError("invalid_seed", `application ${clientId ?? "(any)"} is not seeded`);
  return app;
}

function copyApplication(app: SimApplication): SimApplication {
  return { ...app, redirectUris: [...app.redirectUris] };
}

/** The user, created as a placeholder (or a bot user) when it is not seeded yet. */
function ensureUser(state: SimState, userId: string, bot = false): SimUser {
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
}

/**
 * Seeds an application and its bot user; an existing client id keeps what is not given. Guilds
 * seeded without a bot adopt this one.
 */
function seedApplication(
  state: SimState,
  app: Partial<SimApplication>,
  addBotMember: (guild: GuildState, botUserId: string) => void,
): SimApplication {
  const clientId = requireSnowflake("clientId", app.clientId ?? app.botUserId ?? state.nextId());
  const botUserId = requireSnowflake("botUserId", app.botUserId ?? clientId);
  const previous = state.applications.get(clientId);
  if (previous) state.applicationsByToken.delete(previous.botToken);
  const application: SimApplication = {
    clientId,
    clientSecret: app.clientSecret ?? previous?.clientSecret ?? randomToken(32),
    redirectUris: [...(app.redirectUris ?? previous?.redirectUris ?? [])],
    botToken: app.botToken ?? previous?.botToken ?? botTokenFor(botUserId),
    botUserId,
    name: app.name ?? previous?.name ?? "guildkit sim app",
    publicClient: app.publicClient ?? previous?.publicClient ?? false,
    membersIntent: app.membersIntent ?? previous?.membersIntent ?? true,
    presenceIntent: app.presenceIntent ?? previous?.presenceIntent ?? false,
    messageContentIntent: app.messageContentIntent ?? previous?.messageContentIntent ?? false,
    verified: app.verified ?? previous?.verified ?? false,
    roleConnectionsVerificationUrl:
      app.roleConnectionsVerificationUrl ?? previous?.roleConnectionsVerificationUrl ?? null,
    description: app.description ?? previous?.description ?? "",
    ownerId: requireSnowflake("ownerId", app.ownerId ?? previous?.ownerId ?? state.nextId()),
    extraFlags: app.extraFlags ?? previous?.extraFlags ?? 0,
  };
  state.applications.set(clientId, application);
  state.applicationsByToken.set(application.botToken, application);
  const bot = ensureUser(state, botUserId, true);
  if (bot.username === "bot") bot.username = usernameFrom(application.name ?? "bot");
  bot.bot = true;
  for (const guild of state.guilds.values()) {
    if (guild.botUserId === null) {
      guild.botUserId = botUserId;
      addBotMember(guild, botUserId);
    }
  }
  return copyApplication(application);
}

/** Seeding of OAuth2 grants and of Linked Roles state. */
function createAuthorizationSeed(
  state: SimState,
): Pick<SimSeed, "oauthGrant" | "revokeAuthorization" | "roleConnectionMetadata" | "roleConnection"> {
  const now = state.now;
  return {
    oauthGrant({ userId, scopes, clientId, expiresInSeconds }) {
      const app = applicationFor(state, clientId);
      const user = state.users.get(userId);
      if (!user || user.bot) {
        throw new DiscordSimError("unknown_user", `user ${userId} is not a seeded (non-bot) user`);
      }
      return issueGrant(state, {
        clientId: app.clientId,
        userId,
        scopes,
        ...(expiresInSeconds !== undefined ? { ttlSeconds: expiresInSeconds } : {}),
      });
    },

    revokeAuthorization({ userId, clientId }) {
      return revokeAuthorization(state, applicationFor(state, clientId).clientId, userId);
    },

    roleConnectionMetadata(applicationId, records) {
      applicationFor(state, applicationId);
      const checked = checkMetadataRecords(records);
      if (!checked.ok) {
        const where = checked.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.leaf.message}`);
        throw new DiscordSimError("invalid_seed", `invalid role connection metadata: ${where.join("; ")}`);
      }
      state.roleConnectionMetadata.set(applicationId, checked.value);
      return structuredClone(checked.value);
    },

    roleConnection(connection) {
      applicationFor(state, connection.applicationId);
      requireSnowflake("userId", connection.userId);
      ensureUser(state, connection.userId);
      const stored = {
        applicationId: connection.applicationId,
        userId: connection.userId,
        platformName: connection.platformName ?? null,
        platformUsername: connection.platformUsername ?? null,
        metadata: { ...(connection.metadata ?? {}) },
        updatedAt: now(),
      };
      state.roleConnections.set(`${connection.applicationId}:${connection.userId}`, stored);
      return structuredClone(stored);
    },
  };
}

/** The seeding API over a simulator state. */
export function createSeed(state: SimState, snowflakes: { bump(past: bigint): void }): SimSeed {
  const now = state.now;

  const ensure = (userId: string, bot = false) => ensureUser(state, userId, bot);
  const guilds = createGuildSeed({ state, ensureUser: ensure, bumpIds: (past) => snowflakes.bump(past) });

  return {
    guild: guilds.guild,
    role: guilds.role,
    member: guilds.member,
    members: guilds.members,
    removeMember: guilds.removeMember,
    ban: guilds.ban,
    unban: guilds.unban,

    application: (app) => seedApplication(state, app, guilds.addBotMember),

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
        ...(user.otherGuildCount !== undefined ? { otherGuildCount: user.otherGuildCount } : {}),
        ...(user.maxGuilds !== undefined ? { maxGuilds: user.maxGuilds } : {}),
      };
      state.users.set(id, created);
      return { ...created };
    },

    channel(channel) {
      const guild = state.guilds.get(channel.guildId);
      if (!guild) throw new DiscordSimError("unknown_guild", `guild ${channel.guildId} is not seeded`);
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

    ...createAuthorizationSeed(state),
  };
}
