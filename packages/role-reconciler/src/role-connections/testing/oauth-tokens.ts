import type { MemberGrant, MemberTokenSource } from "../token-source";

/** The OAuth2 calls the helper makes (`createDiscordOAuth` of `@guildkit/discord-rest` is one). */
export interface OAuthTokenClient {
  authorizeUrl(input: {
    redirectUri: string;
    scopes: readonly string[];
    state: string;
    codeChallenge: string;
  }): string;
  exchangeCode(input: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
    signal?: AbortSignal;
  }): Promise<OAuthTokens>;
  refreshToken(input: { refreshToken: string; signal?: AbortSignal }): Promise<OAuthTokens>;
}

/** Tokens as the token endpoint answers them. */
export interface OAuthTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string | null;
  scopes: string[];
}

/** A token source fed by real OAuth2 flows (against discord-sim in tests and benches). */
export interface OAuthTokenSource extends MemberTokenSource {
  /** Runs the authorization-code flow for `memberId` as `userId` with `scopes` and keeps the grant. */
  link(memberId: string, userId: string, scopes: readonly string[]): Promise<MemberGrant>;
  /** Forgets a member's grant (as an unlink does). */
  forget(memberId: string): void;
  /** Refreshes done, per member. */
  readonly refreshes: Map<string, number>;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/**
 * A {@link MemberTokenSource} whose grants come from real OAuth2 flows: `link` opens the authorize
 * URL through `authorize` (discord-sim's `sim.authorize(url, { userId })` plays the browser), takes
 * the code from the redirect and exchanges it; `accessToken` refreshes a token expiring within
 * `marginMs`; a refused refresh forgets the grant (re-consent), as the store-backed source does.
 */
export function createOAuthTokenSource(deps: {
  oauth: OAuthTokenClient;
  authorize(url: string, opts: { userId: string }): Promise<string>;
  redirectUri: string;
  now: () => Date;
  marginMs?: number;
}): OAuthTokenSource {
  const grants = new Map<string, MemberGrant & { refreshToken: string | null }>();
  const refreshes = new Map<string, number>();
  const keep = (memberId: string, tokens: OAuthTokens) => {
    const grant = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(deps.now().getTime() + tokens.expiresIn * 1000),
      scopes: tokens.scopes,
    };
    grants.set(memberId, grant);
    return { accessToken: grant.accessToken, expiresAt: grant.expiresAt, scopes: grant.scopes };
  };
  const source: OAuthTokenSource = {
    refreshes,
    async link(memberId, userId, scopes) {
      const { verifier, challenge } = await pkcePair();
      const url = deps.oauth.authorizeUrl({
        redirectUri: deps.redirectUri,
        scopes,
        state: memberId,
        codeChallenge: challenge,
      });
      const code = new URL(await deps.authorize(url, { userId })).searchParams.get("code");
      if (!code) throw new Error(`the authorization for member ${memberId} was not granted`);
      return keep(
        memberId,
        await deps.oauth.exchangeCode({ code, redirectUri: deps.redirectUri, codeVerifier: verifier }),
      );
    },
    forget(memberId) {
      grants.delete(memberId);
    },
    async accessToken(memberId, io) {
      const grant = grants.get(memberId);
      if (!grant) return null;
      if (grant.expiresAt.getTime() - (deps.marginMs ?? 3_600_000) <= deps.now().getTime()) {
        return source.refresh(memberId, io);
      }
      return { accessToken: grant.accessToken, expiresAt: grant.expiresAt, scopes: grant.scopes };
    },
    async refresh(memberId, io) {
      const grant = grants.get(memberId);
      refreshes.set(memberId, (refreshes.get(memberId) ?? 0) + 1);
      if (!grant?.refreshToken) {
        grants.delete(memberId);
        return null;
      }
      try {
        return keep(
          memberId,
          await deps.oauth.refreshToken({ refreshToken: grant.refreshToken, signal: io?.signal }),
        );
      } catch (error) {
        if (error instanceof Error && (error as { status?: unknown }).status === 400) {
          grants.delete(memberId);
          return null;
        }
        throw error;
      }
    },
  };
  return source;
}
