/**
 * Discord's permission bits the doctor reads, the guild-level permission computation and the invite URL.
 * @see https://discord.com/developers/docs/topics/permissions
 */

/** Permission bits guildkit cares about. */
export const DISCORD_PERMISSIONS = {
  ADMINISTRATOR: 1n << 3n,
  VIEW_CHANNEL: 1n << 10n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
} as const;

/**
 * The permissions the invite asks for: Manage Roles (role sync) and Manage Webhooks (the relay
 * lists channel webhooks) — `805306368`.
 */
export const GUILDKIT_BOT_PERMISSIONS: bigint =
  DISCORD_PERMISSIONS.MANAGE_ROLES | DISCORD_PERMISSIONS.MANAGE_WEBHOOKS;

/** A role as `GET /guilds/{g}/roles` answers it (the fields used here). */
export interface PermissionRole {
  id: string;
  name: string;
  position: number;
  permissions: string;
  managed?: boolean;
}

/** `@everyone`'s permissions OR-ed with those of every role held; Administrator means all. */
export function guildPermissions(
  guildId: string,
  roles: readonly PermissionRole[],
  held: readonly string[],
): bigint {
  const heldSet = new Set(held);
  let bits = 0n;
  for (const role of roles) if (role.id === guildId || heldSet.has(role.id)) bits |= BigInt(role.permissions);
  return (bits & DISCORD_PERMISSIONS.ADMINISTRATOR) !== 0n ? (1n << 53n) - 1n : bits;
}

/** The highest of the held roles (by position, then id as Discord breaks ties), or `null` with none. */
export function highestRole(
  roles: readonly PermissionRole[],
  held: readonly string[],
): PermissionRole | null {
  const heldSet = new Set(held);
  let best: PermissionRole | null = null;
  for (const role of roles) {
    if (!heldSet.has(role.id)) continue;
    if (
      !best ||
      role.position > best.position ||
      (role.position === best.position && BigInt(role.id) < BigInt(best.id))
    )
      best = role;
  }
  return best;
}

/**
 * Whether `role` sits strictly below `top` (the bot can then grant it). Equal positions count as
 * not below: Discord refuses a role at the bot's own height.
 */
export function isBelow(role: PermissionRole, top: PermissionRole): boolean {
  return role.position < top.position;
}

/**
 * The bot invite URL: scope `bot`, the {@link GUILDKIT_BOT_PERMISSIONS}, and the guild preselected
 * when known.
 */
export function botInviteUrl(input: {
  clientId: string;
  guildId?: string | null;
  authorizeBase?: string;
}): string {
  const url = new URL(input.authorizeBase ?? "https://discord.com/oauth2/authorize");
  url.searchParams.set("client_id", input.clientId);
  url.searchParams.set("scope", "bot");
  url.searchParams.set("permissions", String(GUILDKIT_BOT_PERMISSIONS));
  if (input.guildId) {
    url.searchParams.set("guild_id", input.guildId);
    url.searchParams.set("disable_guild_select", "true");
  }
  return url.toString();
}

/** The OAuth2 redirect URIs the guildkit server uses: member login and account linking. */
export function guildkitRedirectUris(publicBaseUrl: string): string[] {
  const base = publicBaseUrl.replace(/\/+$/, "");
  return [`${base}/login/discord/callback`, `${base}/discord/callback`];
}
