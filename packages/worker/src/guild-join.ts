import { type ConfigStore, createConfigLoader, discordConfigSpec } from "@guildkit/config";
import type { IoOptions } from "@guildkit/core";
import { createDiscordRest, type DiscordRest, type DiscordRestOptions } from "@guildkit/discord-rest";
import { GuildJoinError, type GuildJoiner, type GuildJoinFailure } from "@guildkit/oauth-state";
import {
  createRoleSyncSettingsSource,
  desiredRoles,
  type LinkedMembers,
  ruleColumns,
} from "@guildkit/role-reconciler";

/** Options of {@link createGuildJoiner}. */
export interface GuildJoinerOptions {
  /** The `discord` settings (opt-in `join_guild_on_link`, bot token, guild) and the role rules. */
  configStore: ConfigStore;
  /** The members linked to a Discord account, with their entitlement columns (`store.roleSync.linkedMembers`). */
  linkedMembers: LinkedMembers;
  /** Default `https://discord.com/api/v10`. */
  apiBaseUrl?: string;
  /** The client to add members with; default a client on the configured bot token, per join. */
  rest?: (botToken: string) => Pick<DiscordRest, "addGuildMember" | "close">;
  /** Options of the default client. */
  restOptions?: Omit<DiscordRestOptions, "token" | "apiBaseUrl">;
}

/** A Discord refusal of Add Guild Member as a {@link GuildJoinError}. */
export function guildJoinErrorOf(error: unknown): GuildJoinError {
  const e = (error ?? {}) as { status?: unknown; code?: unknown; retryable?: unknown };
  const status = typeof e.status === "number" ? e.status : null;
  const code = typeof e.code === "number" ? e.code : null;
  const reasons: Record<number, GuildJoinFailure> = {
    50025: "invalid_token",
    40007: "banned",
    30001: "max_guilds",
    50013: "missing_permissions",
    50001: "missing_permissions",
    10011: "missing_permissions",
  };
  const reason = (code !== null ? reasons[code] : undefined) ?? "failed";
  return new GuildJoinError(reason, {
    status,
    discordCode: code,
    retryable: reason === "failed" && (e.retryable === true || status === null),
    cause: error,
  });
}

/**
 * The `GuildJoiner` of `@guildkit/oauth-state`: when `join_guild_on_link` is on, a member who links with
 * `guilds.join` and is entitled to roles (the role-sync rules over their member row, the union over
 * every member linked to the account) is added to the configured guild with those roles in one call
 * (`PUT /guilds/{guild.id}/members/{user.id}`, bot token auth, the member's access token in the body).
 * Already in the guild: Discord answers 204 and nothing changes (role sync, due since the link, does
 * the rest). Refusals are `GuildJoinError`s (50025 invalid token, 40007 banned, 30001 too many guilds).
 *
 * @see https://discord.com/developers/docs/resources/guild#add-guild-member
 */
export function createGuildJoiner(options: GuildJoinerOptions): GuildJoiner {
  const discord = createConfigLoader({ store: options.configStore, spec: discordConfigSpec });
  const roleSettings = createRoleSyncSettingsSource({ configStore: options.configStore });
  const restFor =
    options.rest ??
    ((token: string) =>
      // A person waits on the callback: one retry, 10 s per attempt, unless told otherwise.
      createDiscordRest({
        timeoutMs: 10_000,
        retries: 1,
        ...options.restOptions,
        token,
        apiBaseUrl: options.apiBaseUrl,
      }));
  return {
    async join({ memberId, discordUserId, accessToken }, opts: IoOptions = {}) {
      const values = await discord.load(opts);
      if (values.join_guild_on_link !== true) return { status: "skipped", reason: "disabled" };
      const loaded = await roleSettings.load(opts);
      if (loaded.status !== "ready") return { status: "skipped", reason: "disabled" };
      const { guildId, rules } = loaded.settings;
      const members = await options.linkedMembers.findByDiscordIds(
        { discordUserIds: [discordUserId], columns: ruleColumns(rules) },
        opts,
      );
      const linked = members.some((m) => m.memberId === memberId) ? members : [];
      const roleIds = [...desiredRoles(rules, linked).keys()];
      if (roleIds.length === 0) return { status: "skipped", reason: "not_entitled" };
      const rest = restFor(loaded.botToken);
      try {
        const added = await rest.addGuildMember({
          guildId,
          userId: discordUserId,
          accessToken,
          roles: roleIds,
          signal: opts.signal,
        });
        return added.added ? { status: "joined", guildId, roleIds } : { status: "already_member", guildId };
      } catch (error) {
        throw guildJoinErrorOf(error);
      } finally {
        if (!options.rest) await rest.close();
      }
    },
  } satisfies GuildJoiner;
}
