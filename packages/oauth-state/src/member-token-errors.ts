import { GuildkitError } from "@guildkit/core";

/**
 * Refreshing or revoking a member's kept grant failed for a reason that is not the member's: Discord
 * unreachable, rate limited, 5xx, or the application's credentials refused (`invalid_client`). The
 * grant is unchanged (not marked for re-consent); retry when `retryable`. Never carries a token.
 */
export class MemberTokenError extends GuildkitError {
  override readonly name = "MemberTokenError";
  override readonly code: "refresh_failed" | "revoke_failed";
  readonly memberId: string;

  constructor(
    what: "refresh_failed" | "revoke_failed",
    fields: { memberId: string; status: number | null; retryable: boolean; cause?: unknown },
  ) {
    const verb = what === "refresh_failed" ? "refreshing" : "revoking";
    super(
      `${verb} the Discord OAuth grant of member ${fields.memberId} failed` +
        (fields.status === null ? "" : ` (HTTP ${fields.status})`) +
        (fields.retryable
          ? "; it is retried later"
          : "; check the OAuth2 client id and secret in the settings"),
      { retryable: fields.retryable, status: fields.status, code: what, cause: fields.cause },
    );
    this.code = what;
    this.memberId = fields.memberId;
  }
}

/** Why Discord refused to add a member to the guild. */
export type GuildJoinFailure =
  /** 50025: the member's access token is invalid, expired or lacks `guilds.join` (they must link again). */
  | "invalid_token"
  /** 40007: the member is banned from the guild. */
  | "banned"
  /** 30001: the member is in the most guilds Discord allows (100; the join is refused as "full"). */
  | "max_guilds"
  /** 50013 / 50001 / 10011: the bot lacks Create Invite or Manage Roles, or a role sits above it. */
  | "missing_permissions"
  /** Anything else (5xx, network, rate limits): `retryable` says whether a later try may work. */
  | "failed";

const JOIN_MESSAGES: Record<GuildJoinFailure, string> = {
  invalid_token:
    "Discord refused the member's access token (50025: invalid, expired or without guilds.join); the member must link their Discord account again",
  banned: "the member is banned from the guild (40007); unban them in Server Settings → Bans first",
  max_guilds:
    "the member is in the maximum number of guilds Discord allows (30001); they must leave a server first",
  missing_permissions:
    "the bot may not add this member with these roles (it needs Create Invite and Manage Roles, and its role above the roles granted)",
  failed: "adding the member to the guild failed",
};

/** Adding a member to the guild (`PUT /guilds/{guild.id}/members/{user.id}`) failed. Nothing changed. */
export class GuildJoinError extends GuildkitError {
  override readonly name = "GuildJoinError";
  readonly reason: GuildJoinFailure;
  /** Discord's JSON error code (50025, 40007, 30001, …), or `null`. */
  readonly discordCode: number | null;

  constructor(
    reason: GuildJoinFailure,
    fields: { status: number | null; discordCode: number | null; retryable: boolean; cause?: unknown },
  ) {
    super(JOIN_MESSAGES[reason], {
      retryable: fields.retryable,
      status: fields.status,
      code: `guild_join_${reason}`,
      cause: fields.cause,
    });
    this.reason = reason;
    this.discordCode = fields.discordCode;
  }
}
