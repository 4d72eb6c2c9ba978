import type {
  APIGuildMember,
  APIRole,
  APIUser,
  APIWebhook,
  GuildMemberFlags,
  RoleFlags,
  UserFlags,
  WebhookType,
} from "discord-api-types/v10";
import type { RoleState } from "./state";
import type { SimMember, SimUser, SimWebhook } from "./types";

/** The public user object (what `identify` returns), plus `email`/`verified` when asked. */
export function apiUser(user: SimUser, opts: { email?: boolean; self?: boolean } = {}): APIUser {
  const out: APIUser = {
    id: user.id,
    username: user.username,
    discriminator: user.bot ? user.id.slice(-4).padStart(4, "0") : "0",
    global_name: user.global_name,
    avatar: user.avatar,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
  if (user.bot) out.bot = true;
  if (opts.self) {
    out.mfa_enabled = false;
    out.locale = "en-US";
    out.premium_type = 0;
  }
  if (opts.email) {
    out.email = user.email;
    out.verified = user.verified;
  }
  return out;
}

/** A guild member object as REST returns it (with `user`). */
export function apiMember(member: SimMember, user: SimUser): APIGuildMember {
  return {
    user: apiUser(user),
    nick: member.nick,
    avatar: member.avatar,
    banner: null,
    roles: [...member.roles],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

/** A role object. */
export function apiRole(role: RoleState): APIRole {
  const out: APIRole = {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions,
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0 as RoleFlags,
  };
  if (role.botId) out.tags = { bot_id: role.botId };
  return out;
}

/** A webhook object; `token` only when the caller may see it. */
export function apiWebhook(webhook: SimWebhook, includeToken: boolean): APIWebhook {
  const out: APIWebhook = {
    id: webhook.id,
    type: webhook.type as WebhookType,
    guild_id: webhook.guildId,
    channel_id: webhook.channelId,
    name: webhook.name,
    avatar: webhook.avatar,
    application_id: webhook.applicationId,
  };
  if (includeToken && webhook.type === 1) out.token = webhook.token;
  return out;
}
