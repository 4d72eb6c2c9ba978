import type { FlowContext } from "./context";
import { record } from "./flow-events";
import { GuildJoinError } from "./member-token-errors";
import type { GrantedTokens } from "./member-token-ports";
import type { IoOptions } from "./ports";

/** The scopes a kept grant exists for: pushing Linked Roles metadata and joining the guild. */
export const MEMBER_GRANT_SCOPES: readonly string[] = Object.freeze([
  "role_connections.write",
  "guilds.join",
]);

/** Whether a callback should ask the identity provider to hand the tokens over (instead of revoking them). */
export function wantsGrant(ctx: FlowContext, extraScopes: readonly string[] | undefined): boolean {
  return ctx.memberTokens !== undefined && (extraScopes ?? []).length > 0;
}

/**
 * What becomes of the tokens a callback's code exchange returned: kept for `target` (the member the
 * flow linked or signed in), then the guild join when they hold `guilds.join`; revoked when the flow
 * ended without a member (a refusal, a pending signup or replacement) or nothing keeps them. Never
 * throws: the flow's outcome stands, failures go to the event log.
 */
export async function settleGrant(
  ctx: FlowContext,
  grant: GrantedTokens | null | undefined,
  target: { memberId: string; discordUserId: string } | null,
  opts: IoOptions,
): Promise<void> {
  if (!grant) return;
  if (target === null || ctx.memberTokens === undefined) return dropGrant(ctx, grant, target);
  const now = ctx.clock.now();
  try {
    await ctx.memberTokens.store.save(
      {
        memberId: target.memberId,
        discordUserId: target.discordUserId,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        scopes: grant.scopes,
        expiresAt: new Date(now.getTime() + grant.expiresInSeconds * 1000),
        now,
      },
      opts,
    );
  } catch (error) {
    await record(
      ctx,
      {
        kind: "oauth.token",
        level: "error",
        message: `Keeping the member's Discord OAuth grant failed (${(error as Error)?.name ?? "Error"}); the grant was revoked`,
        memberId: target.memberId,
        discordUserId: target.discordUserId,
        data: { outcome: "keep_failed" },
      },
      opts,
    );
    return dropGrant(ctx, grant, target);
  }
  await record(
    ctx,
    {
      kind: "oauth.token",
      level: "info",
      message: "The member's Discord OAuth grant is kept (encrypted) for the scopes it holds",
      memberId: target.memberId,
      discordUserId: target.discordUserId,
      data: { outcome: "kept", scopes: [...grant.scopes] },
    },
    opts,
  );
  if (grant.scopes.includes("guilds.join")) await joinGuild(ctx, grant, target, opts);
}

/** Revoke tokens nothing will keep (in the background: the person is waiting on the callback). */
function dropGrant(
  ctx: FlowContext,
  grant: GrantedTokens,
  target: { memberId: string; discordUserId: string } | null,
): void {
  const client = ctx.memberTokens?.client;
  if (!client) return;
  const token = grant.refreshToken ?? grant.accessToken;
  const tokenTypeHint = grant.refreshToken !== null ? "refresh_token" : "access_token";
  client.revoke({ token, tokenTypeHint }).catch((error: unknown) =>
    record(
      ctx,
      {
        kind: "oauth.token",
        level: "warn",
        message: `Revoking an OAuth grant no member keeps failed (${(error as Error)?.name ?? "Error"})`,
        memberId: target?.memberId ?? null,
        discordUserId: target?.discordUserId ?? null,
        data: { outcome: "revoke_failed" },
      },
      {},
    ),
  );
}

/** §3: a member who just linked with `guilds.join` is added to the guild with their roles. */
async function joinGuild(
  ctx: FlowContext,
  grant: GrantedTokens,
  target: { memberId: string; discordUserId: string },
  opts: IoOptions,
): Promise<void> {
  if (!ctx.guildJoiner) return;
  const who = { memberId: target.memberId, discordUserId: target.discordUserId };
  try {
    const result = await ctx.guildJoiner.join({ ...who, accessToken: grant.accessToken }, opts);
    if (result.status === "skipped") return;
    await record(
      ctx,
      {
        kind: "discord.guild_join",
        level: "info",
        message:
          result.status === "joined"
            ? `Added the member to the guild with ${result.roleIds.length} role(s)`
            : "The member is already in the guild",
        ...who,
        data:
          result.status === "joined"
            ? { outcome: "joined", guildId: result.guildId, roleIds: [...result.roleIds] }
            : { outcome: "already_member", guildId: result.guildId },
      },
      opts,
    );
  } catch (error) {
    const typed = error instanceof GuildJoinError ? error : null;
    await record(
      ctx,
      {
        kind: "discord.guild_join",
        level: typed?.reason === "failed" || typed === null ? "error" : "warn",
        message: typed
          ? `Adding the member to the guild failed: ${typed.message}`
          : `Adding the member to the guild failed (${(error as Error)?.name ?? "Error"})`,
        ...who,
        data: {
          outcome: "failed",
          reason: typed?.reason ?? "failed",
          discordCode: typed?.discordCode ?? null,
          status: typed?.status ?? null,
        },
      },
      opts,
    );
  }
}
