/**
 * The port through which role connections get a member's OAuth access token. The member OAuth token
 * store (issue 16 §1) implements it; tests use `createMemoryTokenSource` of
 * `@guildkit/role-reconciler/testing`.
 */

/** A member's current OAuth grant: the access token, when it expires, and the scopes it holds. */
export interface MemberGrant {
  accessToken: string;
  expiresAt: Date;
  scopes: readonly string[];
}

/** Where role connections get each member's access token (with `role_connections.write`). */
export interface MemberTokenSource {
  /** The member's current access token (refreshed first when it expires within a margin), or null
   * when no grant is kept or the link needs re-consent. */
  accessToken(memberId: string, options?: { signal?: AbortSignal }): Promise<MemberGrant | null>;
  /** Refresh now (after a 401). null when Discord refused: the link is marked as needing re-consent. */
  refresh(memberId: string, options?: { signal?: AbortSignal }): Promise<MemberGrant | null>;
}
