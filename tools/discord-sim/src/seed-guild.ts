import { DiscordSimError } from "./errors";
import { discordTimestamp, normaliseDiscordTimestamp } from "./format";
import { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from "./permissions";
import { compareSnowflakes, isSnowflake } from "./snowflake";
import type { GuildState, RoleState, SimState } from "./state";
import { quickAvatarHash } from "./tokens";
import type { SimGuild, SimGuildSeed, SimMember, SimSeed, SimUser } from "./types";

/** Throws `invalid_snowflake` unless `value` is a snowflake. */
export function requireSnowflake(field: string, value: string): string {
  if (!isSnowflake(value))
    throw new DiscordSimError("invalid_snowflake", `${field} "${value}" is not a snowflake`);
  return value;
}

/** The guild, or `unknown_guild`. */
export function requireGuild(state: SimState, guildId: string): GuildState {
  const guild = state.guilds.get(guildId);
  if (!guild)
    throw new DiscordSimError("unknown_guild", `guild ${guildId} is not seeded; seed.guild() it first`);
  return guild;
}

/** What the guild seeders share with the rest of the seeding API. */
export interface GuildSeedContext {
  state: SimState;
  ensureUser(userId: string, bot?: boolean): SimUser;
  bumpIds(past: bigint): void;
}

/** The public view of a guild. */
export function simGuild(guild: GuildState): SimGuild {
  return {
    id: guild.id,
    name: guild.name,
    botUserId: guild.botUserId,
    botRoleId: guild.botRoleId,
    botRolePosition: guild.botRolePosition,
    membersIntent: guild.membersIntent,
    ownerId: guild.ownerId,
    botPermissions: guild.botPermissions,
    everyonePermissions: guild.everyonePermissions,
    botInGuild: guild.botUserId !== null && guild.members.has(guild.botUserId),
  };
}

/** Writes `@everyone` and the bot's managed role from the guild's settings. */
function writeBaseRoles(state: SimState, guild: GuildState): void {
  const base = { managed: false, mentionable: false, color: 0, hoist: false, botId: null };
  guild.roles.set(guild.id, {
    ...base,
    id: guild.id,
    guildId: guild.id,
    name: "@everyone",
    position: 0,
    permissions: guild.everyonePermissions,
  });
  const app = [...state.applications.values()].find((a) => a.botUserId === guild.botUserId);
  guild.roles.set(guild.botRoleId, {
    ...base,
    id: guild.botRoleId,
    guildId: guild.id,
    name: app?.name ?? "bot",
    position: guild.botRolePosition,
    permissions: guild.botPermissions,
    managed: true,
    botId: guild.botUserId,
  });
}

/**
 * Seeds a guild with `@everyone` and the bot's managed role, or updates only what is given. A new
 * guild has the bot in; `botInGuild` puts it in or takes it out.
 */
function upsertGuild(
  ctx: GuildSeedContext,
  seed: SimGuildSeed,
  addBotMember: (guild: GuildState, botUserId: string) => void,
): SimGuild {
  const { state } = ctx;
  const id = requireSnowflake("id", seed.id ?? state.nextId());
  const existing = state.guilds.get(id);
  const botUserId =
    seed.botUserId ?? existing?.botUserId ?? state.applications.values().next().value?.botUserId ?? null;
  if (botUserId !== null) requireSnowflake("botUserId", botUserId);
  const target: GuildState = existing ?? {
    id,
    name: seed.name ?? "sim guild",
    botUserId,
    botRoleId: requireSnowflake("botRoleId", seed.botRoleId ?? state.nextId()),
    botRolePosition: 100,
    membersIntent: true,
    ownerId: requireSnowflake("ownerId", seed.ownerId ?? state.nextId()),
    botPermissions: DEFAULT_BOT_PERMISSIONS,
    everyonePermissions: DEFAULT_EVERYONE_PERMISSIONS,
    roles: new Map(),
    members: new Map(),
    bans: new Map(),
    order: [],
    orderDirty: false,
  };
  // A new guild, or a new bot for it, has the bot in; otherwise membership stays as it is.
  const botWasIn =
    !existing || existing.botUserId !== botUserId || (botUserId !== null && existing.members.has(botUserId));
  target.name = seed.name ?? target.name;
  target.botUserId = botUserId;
  target.botRolePosition = seed.botRolePosition ?? target.botRolePosition;
  target.membersIntent = seed.membersIntent ?? target.membersIntent;
  if (seed.ownerId !== undefined) target.ownerId = requireSnowflake("ownerId", seed.ownerId);
  target.botPermissions = seed.botPermissions ?? target.botPermissions;
  target.everyonePermissions = seed.everyonePermissions ?? target.everyonePermissions;
  state.guilds.set(id, target);
  writeBaseRoles(state, target);
  if (botUserId !== null) {
    if (seed.botInGuild ?? botWasIn) addBotMember(target, botUserId);
    else state.dropMember(target, botUserId);
  }
  return simGuild(target);
}

/** Seeding of guilds, roles, members and bans. */
export function createGuildSeed(ctx: GuildSeedContext): Pick<
  SimSeed,
  "guild" | "role" | "member" | "members" | "removeMember" | "ban" | "unban"
> & {
  addBotMember(guild: GuildState, botUserId: string): void;
} {
  const { state } = ctx;
  const now = state.now;

  const putMember = (guild: GuildState, member: SimMember) => {
    const existed = guild.members.has(member.userId);
    guild.members.set(member.userId, member);
    if (existed) return;
    const last = guild.order[guild.order.length - 1];
    guild.order.push(member.userId);
    if (last !== undefined && compareSnowflakes(member.userId, last) <= 0) guild.orderDirty = true;
  };

  const addBotMember = (guild: GuildState, botUserId: string) => {
    ctx.ensureUser(botUserId, true);
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

  return {
    addBotMember,

    guild: (seed) => upsertGuild(ctx, seed, addBotMember),

    role(role) {
      const guild = requireGuild(state, role.guildId);
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
      const guild = requireGuild(state, member.guildId);
      const userId = requireSnowflake("userId", member.userId);
      ctx.ensureUser(userId);
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
      const guild = requireGuild(state, guildId);
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
      ctx.bumpIds(start + BigInt(count));
      return out;
    },

    removeMember(guildId, userId) {
      const guild = state.guilds.get(guildId);
      if (guild) state.dropMember(guild, userId);
    },

    ban({ guildId, userId, reason }) {
      const guild = requireGuild(state, guildId);
      requireSnowflake("userId", userId);
      ctx.ensureUser(userId);
      const ban = { guildId: guild.id, userId, reason: reason ?? null };
      guild.bans.set(userId, ban);
      state.dropMember(guild, userId);
      return { ...ban };
    },

    unban(guildId, userId) {
      state.guilds.get(guildId)?.bans.delete(userId);
    },
  };
}
