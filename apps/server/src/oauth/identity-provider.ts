import type { ConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordOAuth } from "@guildkit/discord-rest";
import type { DiscordIdentityProvider, OAuthClientSource } from "@guildkit/oauth-state";

type DiscordConfigLoader = ConfigLoader<typeof discordConfigSpec>;

/** The OAuth client from the runtime config, per use (`null` until both client id and secret are set). */
export function createOAuthClientSource(config: DiscordConfigLoader): OAuthClientSource {
  return {
    async load(opts = {}) {
      const result = await config.loadComplete(["client_id", "client_secret"], opts);
      return result.ok ? { clientId: result.values.client_id } : null;
    },
  };
}

/**
 * `DiscordIdentityProvider` over `@guildkit/discord-rest`'s OAuth client: exchanges the code with the PKCE
 * verifier, reads `/users/@me`, then revokes the token (nothing else needs it). Client id and secret
 * are read from the runtime config per use.
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
      if (!config.ok) {
        throw Object.assign(new Error("Discord OAuth is not configured"), { status: null, retryable: false });
      }
      const oauth = createDiscordOAuth({
        clientId: config.values.client_id,
        clientSecret: config.values.client_secret,
        apiBaseUrl: options.apiBaseUrl,
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      const tokens = await oauth.exchangeCode({ code, codeVerifier, redirectUri, signal: opts.signal });
      const user = await oauth.getCurrentUser({ accessToken: tokens.accessToken, signal: opts.signal });
      oauth.revokeToken({ token: tokens.accessToken, tokenTypeHint: "access_token" }).catch((error: unknown) => {
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
