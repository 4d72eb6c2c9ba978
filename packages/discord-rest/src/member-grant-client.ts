import type { IoOptions } from "@guildkit/core";
import { type MemberGrantClient, OAuthNotConfiguredError } from "@guildkit/oauth-state";
import type { Dispatcher } from "undici";
import type { DiscordClientCredentials, DiscordCredentialsSource } from "./identity-provider";
import { createDiscordOAuth } from "./oauth";

/** Options of {@link createDiscordMemberGrantClient}. */
export interface DiscordMemberGrantClientOptions {
  /** Fixed credentials, or a source read per call (runtime settings). */
  credentials: DiscordClientCredentials | DiscordCredentialsSource;
  /** Default `https://discord.com/api/v10`. */
  apiBaseUrl?: string;
  /** Timeout of each call (default 15 000 ms). */
  timeoutMs?: number;
  userAgent?: string;
  dispatcher?: Dispatcher;
}

/**
 * The Discord adapter of `@guildkit/oauth-state`'s {@link MemberGrantClient} port: refreshes a kept
 * member grant (`POST /oauth2/token`, `grant_type=refresh_token`; never retried, since Discord rotates
 * the refresh token) and revokes one (`POST /oauth2/token/revoke`). Failures are `DiscordOAuthError`s
 * (`error: "invalid_grant"` when Discord refused the refresh token) and the network/timeout errors, all
 * following the `RetryableError` contract; credentials missing → `OAuthNotConfiguredError`.
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-refresh-token-exchange-example
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-token-revocation-example
 */
export function createDiscordMemberGrantClient(options: DiscordMemberGrantClientOptions): MemberGrantClient {
  const source: DiscordCredentialsSource =
    "load" in options.credentials
      ? options.credentials
      : { load: async () => options.credentials as DiscordClientCredentials };
  async function oauthClient(opts: IoOptions) {
    const client = await source.load(opts);
    if (client === null) throw new OAuthNotConfiguredError({ flow: null });
    return createDiscordOAuth({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      apiBaseUrl: options.apiBaseUrl,
      timeoutMs: options.timeoutMs,
      userAgent: options.userAgent,
      dispatcher: options.dispatcher,
    });
  }
  return {
    async refresh({ refreshToken }, opts = {}) {
      const oauth = await oauthClient(opts);
      const tokens = await oauth.refreshToken({ refreshToken, signal: opts.signal });
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresInSeconds: tokens.expiresIn,
        scopes: tokens.scopes,
      };
    },
    async revoke({ token, tokenTypeHint }, opts = {}) {
      const oauth = await oauthClient(opts);
      await oauth.revokeToken({ token, tokenTypeHint, signal: opts.signal });
    },
  } satisfies MemberGrantClient;
}
