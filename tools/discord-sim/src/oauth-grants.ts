/**
 * OAuth2 token pairs: issue, rotate on refresh, revoke a whole authorization.
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
 */
import type { OAuthGrant, SimState } from "./state";
import { randomToken } from "./tokens";
import type { SimOAuthGrant, SimTokenResponse } from "./types";

/** Access tokens live 7 days on Discord (`expires_in: 604800`). */
export const ACCESS_TOKEN_TTL_S = 604_800;

/** Issues a new access/refresh token pair and answers it as the token endpoint does. */
export function issueGrant(
  state: SimState,
  grant: { clientId: string; userId: string; scopes: string[]; ttlSeconds?: number },
): SimTokenResponse {
  const ttl = grant.ttlSeconds ?? state.accessTokenTtlSeconds;
  const full: OAuthGrant = {
    clientId: grant.clientId,
    userId: grant.userId,
    scopes: [...grant.scopes],
    accessToken: randomToken(30),
    refreshToken: randomToken(30),
    issuedAt: state.now(),
    expiresAt: state.now() + ttl * 1000,
    revoked: false,
    endedBy: null,
  };
  state.grants.push(full);
  state.grantsByAccess.set(full.accessToken, full);
  state.grantsByRefresh.set(full.refreshToken, full);
  return {
    access_token: full.accessToken,
    token_type: "Bearer",
    expires_in: ttl,
    refresh_token: full.refreshToken,
    scope: full.scopes.join(" "),
  };
}

/** Ends one token pair: neither token works afterwards. */
export function endGrant(state: SimState, grant: OAuthGrant, how: "refresh" | "revoke"): void {
  grant.revoked = true;
  grant.endedBy = how;
  state.grantsByAccess.delete(grant.accessToken);
  state.grantsByRefresh.delete(grant.refreshToken);
}

/**
 * Revokes every live token pair of the user's authorization of the application ("any active access
 * or refresh tokens associated with that authorization will be revoked"). Returns how many ended.
 */
export function revokeAuthorization(state: SimState, clientId: string, userId: string): number {
  let ended = 0;
  for (const grant of state.grants) {
    if (!grant.revoked && grant.clientId === clientId && grant.userId === userId) {
      endGrant(state, grant, "revoke");
      ended += 1;
    }
  }
  return ended;
}

/** The live grant of an access token, or null (unknown, revoked, refreshed away or expired). */
export function liveGrant(state: SimState, accessToken: string): OAuthGrant | null {
  const grant = state.grantsByAccess.get(accessToken);
  if (!grant || grant.revoked || state.now() >= grant.expiresAt) return null;
  return grant;
}

/** A grant as inspection shows it. */
export function grantView(state: SimState, grant: OAuthGrant): SimOAuthGrant {
  const { clientId, userId, accessToken, refreshToken, issuedAt, expiresAt } = grant;
  const status: SimOAuthGrant["state"] =
    grant.endedBy === "refresh"
      ? "refreshed"
      : grant.endedBy === "revoke"
        ? "revoked"
        : state.now() >= expiresAt
          ? "expired"
          : "active";
  return {
    clientId,
    userId,
    scopes: [...grant.scopes],
    accessToken,
    refreshToken,
    issuedAt,
    expiresAt,
    state: status,
  };
}
