import type { APIGuildMember } from "discord-api-types/v10";
import type { DiscordRest } from "./client";
import type { SignalOptions } from "./defaults";

/** The avatar is gone from the CDN (its hash changed meanwhile); the next check sees the new hash. */
export class AvatarNotFoundError extends Error {
  override readonly name = "AvatarNotFoundError";
  readonly code = "avatar_not_found";
  readonly status = 404;
  readonly retryable = false;
  readonly retryAfterMs = null;
  readonly route = "/avatars/:user_id/:hash";
  readonly userId: string;
  constructor(userId: string) {
    super(
      `the avatar of Discord user ${userId} is not on the CDN (its hash changed); the next check uses the new one`,
    );
    this.userId = userId;
  }
}

/** A role change request of the role reconciler. */
export interface RoleGatewayChange {
  guildId: string;
  userId: string;
  roleId: string;
  reason: string;
}

/**
 * The `GuildGateway` port of `@guildkit/role-reconciler`, implemented structurally (no import of
 * the core) over this client. Errors pass through unchanged: they carry the `status`, `code`,
 * `retryable`, `retryAfterMs` and `route` fields the reconciler classifies by.
 */
export interface RoleGateway {
  /** @see https://discord.com/developers/docs/resources/guild#get-guild-member */
  getMember(opts: { guildId: string; userId: string }, io?: SignalOptions): Promise<APIGuildMember | null>;
  /** @see https://discord.com/developers/docs/resources/guild#list-guild-members */
  listMembers(
    opts: { guildId: string; after: string | null; limit: number },
    io?: SignalOptions,
  ): Promise<APIGuildMember[]>;
  /** @see https://discord.com/developers/docs/resources/guild#add-guild-member-role */
  addRole(opts: RoleGatewayChange, io?: SignalOptions): Promise<void>;
  /** @see https://discord.com/developers/docs/resources/guild#remove-guild-member-role */
  removeRole(opts: RoleGatewayChange, io?: SignalOptions): Promise<void>;
  /** Kicks the member (404 10007 when it is not in the guild). @see https://discord.com/developers/docs/resources/guild#remove-guild-member */
  removeMember(opts: { guildId: string; userId: string; reason: string }, io?: SignalOptions): Promise<void>;
  /** PNG bytes; throws {@link AvatarNotFoundError} on a 404. @see https://discord.com/developers/docs/reference#image-formatting */
  fetchAvatar(
    opts: { guildId: string; userId: string; hash: string; source: "guild" | "user" },
    io?: SignalOptions,
  ): Promise<Uint8Array>;
}

/**
 * Adapts a {@link DiscordRest} client to the role reconciler's `GuildGateway` port.
 *
 * @example
 * const gateway = createRoleGateway(createDiscordRest({ token }));
 * await reconciler.runOnce({ settings, gateway });
 */
export function createRoleGateway(
  rest: Pick<
    DiscordRest,
    | "getGuildMember"
    | "listGuildMembers"
    | "addGuildMemberRole"
    | "removeGuildMemberRole"
    | "removeGuildMember"
    | "fetchAvatar"
  >,
): RoleGateway {
  return {
    getMember: ({ guildId, userId }, io) => rest.getGuildMember({ guildId, userId, signal: io?.signal }),
    async listMembers({ guildId, after, limit }, io) {
      return (await rest.listGuildMembers({ guildId, after, limit, signal: io?.signal })).members;
    },
    addRole: ({ guildId, userId, roleId, reason }, io) =>
      rest.addGuildMemberRole({ guildId, userId, roleId, reason, signal: io?.signal }),
    removeRole: ({ guildId, userId, roleId, reason }, io) =>
      rest.removeGuildMemberRole({ guildId, userId, roleId, reason, signal: io?.signal }),
    removeMember: ({ guildId, userId, reason }, io) =>
      rest.removeGuildMember({ guildId, userId, reason, signal: io?.signal }),
    async fetchAvatar({ guildId, userId, hash, source }, io) {
      const image = await rest.fetchAvatar({
        userId,
        hash,
        guildId: source === "guild" ? guildId : null,
        format: "png",
        signal: io?.signal,
      });
      if (!image) throw new AvatarNotFoundError(userId);
      return image.bytes;
    },
  };
}
