import type { DiscordRest } from "@guildkit/discord-rest";
import type { GuildGateway } from "@guildkit/role-reconciler";

/** The avatar is gone from the CDN (its hash changed meanwhile); the next check sees the new hash. */
export class AvatarNotFoundError extends Error {
  override readonly name = "AvatarNotFoundError";
  readonly code = "avatar_not_found";
  readonly status = 404;
  readonly retryable = false;
  readonly retryAfterMs = null;
  readonly route = "/cdn/avatars";
  constructor(readonly userId: string) {
    super(`avatar of Discord user ${userId} not found on the CDN`);
  }
}

/**
 * The role reconciler's `GuildGateway` port over the `@guildkit/discord-rest` client (its errors
 * already carry the structural fields the reconciler classifies by).
 */
export function createRoleGateway(
  rest: Pick<
    DiscordRest,
    "getGuildMember" | "listGuildMembers" | "addGuildMemberRole" | "removeGuildMemberRole" | "fetchAvatar"
  >,
): GuildGateway {
  return {
    getMember: ({ guildId, userId }, io) => rest.getGuildMember({ guildId, userId, signal: io?.signal }),
    async listMembers({ guildId, after, limit }, io) {
      const page = await rest.listGuildMembers({ guildId, after, limit, signal: io?.signal });
      return page.members;
    },
    addRole: ({ guildId, userId, roleId, reason }, io) =>
      rest.addGuildMemberRole({ guildId, userId, roleId, reason, signal: io?.signal }),
    removeRole: ({ guildId, userId, roleId, reason }, io) =>
      rest.removeGuildMemberRole({ guildId, userId, roleId, reason, signal: io?.signal }),
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
