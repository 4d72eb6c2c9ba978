/**
 * Guild-level permissions and the role hierarchy, as Discord computes them.
 * @see https://discord.com/developers/docs/topics/permissions#permission-hierarchy
 */

/** Permission bits the simulator checks. */
export const PERMISSIONS = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_GUILD: 1n << 5n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MUTE_MEMBERS: 1n << 22n,
  DEAFEN_MEMBERS: 1n << 23n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
} as const;

/** Every permission bit Discord defines (through BYPASS_SLOWMODE, 1 << 52). */
const ALL_PERMISSIONS = (1n << 53n) - 1n;

/** The permissions of the bot's managed role: VIEW_CHANNEL, SEND_MESSAGES, MANAGE_ROLES, MANAGE_WEBHOOKS. */
export const DEFAULT_BOT_PERMISSIONS = String(
  PERMISSIONS.VIEW_CHANNEL |
    PERMISSIONS.SEND_MESSAGES |
    PERMISSIONS.MANAGE_ROLES |
    PERMISSIONS.MANAGE_WEBHOOKS,
);

/** Discord's default `@everyone` permissions for a new guild (CREATE_INSTANT_INVITE among them). */
export const DEFAULT_EVERYONE_PERMISSIONS = "2248473465835073";

/** What a permission computation needs to know about a guild. */
export interface PermissionGuild {
  id: string;
  ownerId: string;
  roles: ReadonlyMap<string, { position: number; permissions: string }>;
  members: ReadonlyMap<string, { roles: readonly string[] }>;
}

function bits(value: string | undefined): bigint {
  if (value === undefined || !/^\d+$/.test(value)) return 0n;
  return BigInt(value);
}

/**
 * The guild-level permissions of `userId`: `@everyone`'s, OR-ed with each role's; ADMINISTRATOR and
 * the owner have them all.
 */
export function memberPermissions(guild: PermissionGuild, userId: string): bigint {
  if (userId === guild.ownerId) return ALL_PERMISSIONS;
  let out = bits(guild.roles.get(guild.id)?.permissions);
  for (const roleId of guild.members.get(userId)?.roles ?? [])
    out |= bits(guild.roles.get(roleId)?.permissions);
  return out & PERMISSIONS.ADMINISTRATOR ? ALL_PERMISSIONS : out;
}

/** Whether `userId` holds `permission` in the guild. */
export function hasPermission(guild: PermissionGuild, userId: string, permission: bigint): boolean {
  return (memberPermissions(guild, userId) & permission) === permission;
}

/** Position of the highest role `userId` holds (0, `@everyone`'s, when none). */
export function highestPosition(guild: PermissionGuild, userId: string): number {
  let highest = 0;
  for (const roleId of guild.members.get(userId)?.roles ?? []) {
    const role = guild.roles.get(roleId);
    if (role && role.position > highest) highest = role.position;
  }
  return highest;
}

/**
 * Whether `actorId` may act on a role at `position` (grant, remove): only below its own highest role,
 * unless it owns the guild. ADMINISTRATOR does not lift the rule.
 */
export function outranksRole(guild: PermissionGuild, actorId: string, position: number): boolean {
  return actorId === guild.ownerId || position < highestPosition(guild, actorId);
}

/** Whether `actorId` may kick or rename `targetId`: the target's highest role must sit below the actor's. */
export function outranksMember(guild: PermissionGuild, actorId: string, targetId: string): boolean {
  if (targetId === guild.ownerId) return false;
  return actorId === guild.ownerId || highestPosition(guild, targetId) < highestPosition(guild, actorId);
}
