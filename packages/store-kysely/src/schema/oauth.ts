import type { TimeColumn } from "./columns";

/**
 * Spent OAuth state nonces (`jti` of `@guildkit/oauth-state` tokens). A row is written when a state is
 * redeemed, so a nonce can be redeemed once; rows past `expires_at` are purged.
 */
export interface OAuthStatesTable {
  /** The nonce (primary key). */
  nonce: string;
  /** When the token carrying the nonce expires; the row may be purged after it. */
  expires_at: TimeColumn;
  /** When the nonce was spent. */
  consumed_at: TimeColumn;
}

/** The tables of migration `003-oauth`. */
export interface OAuthTables {
  oauth_states: OAuthStatesTable;
}
