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
import type { GuildState, RoleState } from "./state";
import { stableHash } from "./tokens";
import type { SimApplication, SimMember, SimRoleConnection, SimUser, SimWebhook } from "./types";

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

/** Application flag bits of the privileged intents (verified apps get the first, others `_LIMITED`). */
const INTENT_FLAGS = {
  presence: [1 << 12, 1 << 13],
  members: [1 << 14, 1 << 15],
  messageContent: [1 << 18, 1 << 19],
} as const;

/**
 * The application's flags: each enabled privileged intent as `GATEWAY_*` (verified apps) or
 * `GATEWAY_*_LIMITED` (apps in under 100 servers), plus `extraFlags`.
 * @see https://discord.com/developers/docs/resources/application#application-object-application-flags
 */
export function applicationFlags(app: SimApplication): number {
  const pick = (on: boolean | undefined, [full, limited]: readonly [number, number]) =>
    on ? (app.verified ? full : limited) : 0;
  return (
    (app.extraFlags ?? 0) |
    pick(app.presenceIntent, INTENT_FLAGS.presence) |
    pick(app.membersIntent !== false, INTENT_FLAGS.members) |
    pick(app.messageContentIntent, INTENT_FLAGS.messageContent)
  );
}

/**
 * The application object of `GET /applications/@me`; `GET /oauth2/applications/@me` answers it
 * without `flags` (discord-api-types' `RESTGetAPIOAuth2CurrentApplicationResult`).
 * @see https://discord.com/developers/docs/resources/application#get-current-application
 */
export function apiApplication(
  app: SimApplication,
  opts: { bot: SimUser | undefined; guildCount: number; authorizationCount: number; withFlags: boolean },
): Record<string, unknown> {
  const flags = applicationFlags(app);
  return {
    id: app.clientId,
    name: app.name ?? "",
    icon: null,
    description: app.description ?? "",
    summary: "",
    type: null,
    hook: true,
    ...(opts.bot ? { bot: apiUser(opts.bot) } : {}),
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: stableHash(`verify:${app.clientId}`) + stableHash(`key:${app.clientId}`),
    team: null,
    owner: {
      id: app.ownerId,
      username: "sim_owner",
      avatar: null,
      discriminator: "0",
      global_name: null,
      public_flags: 0,
      flags: 0,
    },
    ...(opts.withFlags ? { flags, flags_new: String(flags) } : {}),
    approximate_guild_count: opts.guildCount,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: opts.authorizationCount,
    redirect_uris: [...app.redirectUris],
    interactions_endpoint_url: null,
    role_connections_verification_url: app.roleConnectionsVerificationUrl ?? null,
    event_webhooks_url: null,
    event_webhooks_status: 1,
    integration_types_config: { "0": {} },
  };
}

/**
 * The guild object of `GET /guilds/{guild.id}`, roles included; `withCounts` adds the approximate counts.
 * @see https://discord.com/developers/docs/resources/guild#get-guild
 */
export function apiGuild(
  guild: GuildState,
  roles: RoleState[],
  withCounts: boolean,
): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: roles.map(apiRole),
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    ...(withCounts ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {}),
  };
}

/**
 * A user's application role connection as Discord answers it (an empty one when there is none).
 * @see https://discord.com/developers/docs/resources/user#application-role-connection-object
 */
export function apiRoleConnection(connection: SimRoleConnection | undefined): Record<string, unknown> {
  return {
    platform_name: connection?.platformName ?? null,
    platform_username: connection?.platformUsername ?? null,
    metadata: { ...(connection?.metadata ?? {}) },
  };
}
