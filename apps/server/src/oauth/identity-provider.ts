import type { ConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordOAuth } from "@guildkit/discord-rest";
import {
  type DiscordIdentityProvider,
  type OAuthClientSource,
  OAuthNotConfiguredError,
} from "@guildkit/oauth-state";

type DiscordConfigLoader = ConfigLoader<typeof discordConfigSpec>;

/**
 * The OAuth client from the runtime config (`null` until both client id and secret are set), re-read at
 * most every `maxAgeMs` (default 1 s): a saved change applies within a second with no restart, and the
 * hot `GET /login/discord` does not query the database on every hit.
 */
export function createOAuthClientSource(
  config: DiscordConfigLoader,
  options: { maxAgeMs?: number; now?: () => number } = {},
): OAuthClientSource {
  const maxAgeMs = options.maxAgeMs ?? 1_000;
  const now = options.now ?? (() => performance.now());
  let cached: { value: { clientId: string } | null; at: number } | null = null;
  let pending: Promise<{ clientId: string } | null> | null = null;
  return {
    async load(opts = {}) {
      if (cached !== null && now() - cached.at < maxAgeMs) return cached.value;
      pending ??= config
        .loadComplete(["client_id", "client_secret"], opts)
        .then((result) => {
          const value = result.ok ? { clientId: result.values.client_id } : null;
          cached = { value, at: now() };
          return value;
        })
        .finally(() => {
          pending = null;
        });
      return pending;
    },
  };
}

/**
 * `DiscordIdentityProvider` over `@guildkit/discord-rest`'s OAuth client: exchanges the code with the PKCE
 * verifier, reads `/users/@me`, then revokes the token (nothing else needs it). Client id and secret
 * are read from the runtime config per use; removed meanwhile → `OAuthNotConfiguredError` (503).
 */
export function createDiscordIdentityProvider(options: {
  config: DiscordConfigLoader;
  apiBaseUrl: string;
  timeoutMs?: number;
  /** Told when revoking the access token fails (the sign-in still succeeds). */
  onRevokeFailure?: (error: unknown) => void;
}): DiscordIdentityProvider {
  return {
    async exchangeCode({ code, codeVerifier, redirectUri }, opts = {}) {
      const config = await options.config.loadComplete(["client_id", "client_secret"], opts);
      if (!config.ok) throw new OAuthNotConfiguredError({ flow: null });
      const oauth = createDiscordOAuth({
        clientId: config.values.client_id,
        clientSecret: config.values.client_secret,
        apiBaseUrl: options.apiBaseUrl,
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      const tokens = await oauth.exchangeCode({ code, codeVerifier, redirectUri, signal: opts.signal });
      const user = await oauth.getCurrentUser({ accessToken: tokens.accessToken, signal: opts.signal });
      oauth
        .revokeToken({ token: tokens.accessToken, tokenTypeHint: "access_token" })
        .catch((error: unknown) => {
          options.onRevokeFailure?.(error);
        });
      return {
        id: user.id,
        username: user.username,
        globalName: user.global_name,
        avatar: user.avatar,
        email: user.email,
        verified: user.verified,
      };
    },
  };
}
