import type { NullableTimeColumn, TimeColumn } from "./columns";

/**
 * Member OAuth grants (`MemberTokenStore` of `@guildkit/oauth-state`), one per member. Both tokens
 * are sealed with the store's secret box (context `member_oauth_tokens:<member id>:<column>`), never
 * plaintext. No foreign key: a deleted member's grant stays until the worker revoked it at Discord.
 */
export interface MemberOAuthTokensTable {
  /** The member (the members table's id; primary key). */
  member_id: string | number;
  /** The Discord account the grant was issued for. */
  discord_user_id: string;
  /** Sealed access token. */
  access_token: string;
  /** Sealed refresh token, or `null`. */
  refresh_token: string | null;
  /** Granted scopes, space-separated. */
  scopes: string;
  expires_at: TimeColumn;
  /** When Discord refused a refresh (re-consent needed), or `null`. */
  consent_needed_at: NullableTimeColumn;
  updated_at: TimeColumn;
  /** Bumped by every write (compare-and-set of refreshes). */
  version: number;
}

/** The tables of migration `012-member-tokens`. */
export interface MemberTokenTables {
  member_oauth_tokens: MemberOAuthTokensTable;
}
