/**
 * The ports of the member OAuth tokens guildkit keeps (for Linked Roles and joining the guild): the
 * store that keeps them (encrypted at rest by the SQL stores), the Discord token endpoint that
 * refreshes and revokes them, and the interface consumers read tokens through.
 */
import type { IoOptions } from "./ports";

/** A member's usable access token. Secret: never log `accessToken`. */
export interface MemberGrant {
  accessToken: string;
  expiresAt: Date;
  scopes: readonly string[];
}

/**
 * Where consumers (the Linked Roles pusher, the guild join) get a member's access token. Implemented by
 * {@link createMemberTokens}.
 */
export interface MemberTokenSource {
  /** The member's current access token (refreshed first when it expires within a margin), or null
   * when no grant is kept or the link needs re-consent. */
  accessToken(memberId: string, options?: { signal?: AbortSignal }): Promise<MemberGrant | null>;
  /** Refresh now (after a 401). null when Discord refused: the link is marked as needing re-consent. */
  refresh(memberId: string, options?: { signal?: AbortSignal }): Promise<MemberGrant | null>;
}

/** Tokens Discord's token endpoint answered (code exchange or refresh). Secret: never log them. */
export interface GrantedTokens {
  accessToken: string;
  /** `null` when Discord sent none (then the grant cannot be refreshed). */
  refreshToken: string | null;
  /** Lifetime of the access token in seconds (Discord: 604 800, 7 days). */
  expiresInSeconds: number;
  /** The scopes Discord granted (may be fewer than asked for). */
  scopes: readonly string[];
}

/** A kept grant as {@link MemberTokenStore.read} returns it, tokens opened. Secret. */
export interface KeptGrant {
  memberId: string;
  /** The Discord account the grant was issued for. */
  discordUserId: string;
  accessToken: string;
  refreshToken: string | null;
  scopes: readonly string[];
  expiresAt: Date;
  /** When Discord refused a refresh (the member must authorize again), or `null`. */
  consentNeededAt: Date | null;
  updatedAt: Date;
  /** Bumped by every write; `replace`, `markConsentNeeded` and `delete` act only on the version read. */
  version: number;
}

/** What may be shown about a kept grant (`/me`, the console): no token. */
export type KeptGrantStatus = Omit<KeptGrant, "accessToken" | "refreshToken">;

/** A grant the worker should act on. */
export interface KeptGrantRef {
  memberId: string;
  discordUserId: string;
  version: number;
  expiresAt: Date;
}

/** The tokens of a write. Secret. */
export interface GrantWrite {
  accessToken: string;
  refreshToken: string | null;
  scopes: readonly string[];
  expiresAt: Date;
  now: Date;
}

/**
 * Keeps one OAuth grant per member. The SQL stores seal both tokens with the store's secret box
 * (`member_oauth_tokens`, migration `012-member-tokens`); a memory implementation keeps them as given.
 * Conformance: `defineMemberTokenStoreCases` of `@guildkit/store-testkit`.
 */
export interface MemberTokenStore {
  /**
   * Keep `memberId`'s grant (replacing any it had), issued for `discordUserId`; clears a re-consent
   * mark. The SQL stores throw `SecretKeyRequiredError` when they have no secret box (nothing written).
   */
  save(input: GrantWrite & { memberId: string; discordUserId: string }, opts?: IoOptions): Promise<void>;
  /** The member's grant with its tokens, or `null`. */
  read(input: { memberId: string }, opts?: IoOptions): Promise<KeptGrant | null>;
  /** The member's grant without its tokens, or `null`. */
  status(input: { memberId: string }, opts?: IoOptions): Promise<KeptGrantStatus | null>;
  /**
   * Store refreshed tokens, only while the grant is still at `version` (resolves `false`, nothing
   * written, when another refresh or a new link came first).
   */
  replace(input: GrantWrite & { memberId: string; version: number }, opts?: IoOptions): Promise<boolean>;
  /** Mark the grant at `version` as needing re-consent (at `now`); `false` when it moved on or is gone. */
  markConsentNeeded(
    input: { memberId: string; version: number; now: Date },
    opts?: IoOptions,
  ): Promise<boolean>;
  /** Delete the member's grant (only at `version`, when given); resolves whether one was deleted. */
  delete(input: { memberId: string; version?: number }, opts?: IoOptions): Promise<boolean>;
  /**
   * Grants that expire before `before`, have a refresh token and need no re-consent, soonest first, at
   * most `limit`.
   */
  listExpiring(input: { before: Date; limit: number }, opts?: IoOptions): Promise<KeptGrantRef[]>;
  /**
   * Grants whose member is gone, or no longer linked to the grant's Discord account (unlinked, or
   * linked to another), at most `limit`: to revoke at Discord and delete.
   */
  listOrphans(input: { limit: number }, opts?: IoOptions): Promise<KeptGrantRef[]>;
}

/**
 * Discord's token endpoint for kept grants. Failures are thrown with `status` (HTTP, or `null`),
 * `retryable`, and `error` (the OAuth error, e.g. `invalid_grant`) as `@guildkit/discord-rest`'s
 * `DiscordOAuthError` carries them.
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-refresh-token-exchange-example
 */
export interface MemberGrantClient {
  /** `grant_type=refresh_token`: a new pair (Discord rotates both tokens). */
  refresh(input: { refreshToken: string }, opts?: IoOptions): Promise<GrantedTokens>;
  /** `POST /oauth2/token/revoke`: ends every token of the authorization. */
  revoke(
    input: { token: string; tokenTypeHint: "access_token" | "refresh_token" },
    opts?: IoOptions,
  ): Promise<void>;
}

/** Outcome of {@link GuildJoiner.join}. */
export type GuildJoinResult =
  | { status: "joined"; guildId: string; roleIds: readonly string[] }
  | { status: "already_member"; guildId: string }
  /** Not configured (opt-in off, no bot token or guild), or the member is not entitled to any role. */
  | { status: "skipped"; reason: "disabled" | "not_entitled" };

/**
 * Adds a member who just linked to the guild with their roles (`PUT /guilds/{guild.id}/members/{user.id}`
 * with the member's `guilds.join` access token, bot token auth). Refusals are thrown as
 * `GuildJoinError`.
 *
 * @see https://discord.com/developers/docs/resources/guild#add-guild-member
 */
export interface GuildJoiner {
  join(
    input: { memberId: string; discordUserId: string; accessToken: string },
    opts?: IoOptions,
  ): Promise<GuildJoinResult>;
}
