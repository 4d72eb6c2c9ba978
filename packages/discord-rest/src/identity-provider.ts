import type { IoOptions } from "@guildkit/core";
import { type DiscordIdentityProvider, OAuthNotConfiguredError } from "@guildkit/oauth-state";
import type { Dispatcher } from "undici";
import { createDiscordOAuth } from "./oauth";

/** The OAuth2 application's credentials. Secret: never log `clientSecret`. */
export interface DiscordClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Where the credentials come from, read at every code exchange (so a change in settings needs no restart). */
export interface DiscordCredentialsSource {
  /** The credentials, or `null` when login with Discord is not configured (then the exchange fails with 503). */
  load(opts?: IoOptions): Promise<DiscordClientCredentials | null>;
}

/** Options of {@link createDiscordIdentityProvider}. */
export interface DiscordIdentityProviderOptions {
  /** Fixed credentials, or a source read per exchange (runtime settings). */
  credentials: DiscordClientCredentials | DiscordCredentialsSource;
  /** Default `https://discord.com/api/v10` (the token endpoint is `<base>/oauth2/token`). */
  apiBaseUrl?: string;
  /** Timeout of each call to Discord (default 10 000 ms: a person is waiting on the callback). */
  timeoutMs?: number;
  /** Default `DiscordBot (https://github.com/guildkit/guildkit, <version>)`. */
  userAgent?: string;
  /** undici dispatcher; default undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Told when revoking the access token fails (the sign-in still succeeds). */
  onRevokeFailure?: (error: unknown) => void;
}

const sourceOf = (credentials: DiscordIdentityProviderOptions["credentials"]): DiscordCredentialsSource =>
  "load" in credentials ? credentials : { load: async () => credentials };

/**
 * The Discord adapter of `@guildkit/oauth-state`'s {@link DiscordIdentityProvider} port: exchanges
 * the authorization code with the PKCE verifier (`POST /oauth2/token`, never retried: a code is
 * single-use), reads `GET /users/@me`, then revokes the access token in the background (the flows
 * need nothing else from it) — unless the flows ask to `keepGrant` (extra scopes configured): then the
 * token pair comes back in `grant` for the member token store. `email` comes with Discord's `verified` flag; the flows trust an email
 * only when `verified` is true.
 *
 * Credentials missing (source resolves `null`) → `OAuthNotConfiguredError` (the flows answer 503).
 * Discord's refusals and failures are thrown as this package's errors (`DiscordOAuthError`,
 * `DiscordTimeoutError`, …), which follow the `RetryableError` contract the flows classify by.
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
 */
export function createDiscordIdentityProvider(
  options: DiscordIdentityProviderOptions,
): DiscordIdentityProvider {
  const credentials = sourceOf(options.credentials);
  const provider = {
    async exchangeCode(
      input: { code: string; codeVerifier: string; redirectUri: string; keepGrant?: boolean },
      opts: IoOptions = {},
    ) {
      const client = await credentials.load(opts);
      if (client === null) throw new OAuthNotConfiguredError({ flow: null });
      const oauth = createDiscordOAuth({
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        apiBaseUrl: options.apiBaseUrl,
        timeoutMs: options.timeoutMs ?? 10_000,
        userAgent: options.userAgent,
        dispatcher: options.dispatcher,
      });
      const { code, codeVerifier, redirectUri } = input;
      const tokens = await oauth.exchangeCode({ code, codeVerifier, redirectUri, signal: opts.signal });
      const user = await oauth.getCurrentUser({ accessToken: tokens.accessToken, signal: opts.signal });
      const identity = {
        id: user.id,
        username: user.username,
        globalName: user.global_name,
        avatar: user.avatar,
        email: user.email,
        verified: user.verified,
      };
      if (input.keepGrant === true) {
        const grant = {
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresInSeconds: tokens.expiresIn,
          scopes: tokens.scopes,
        };
        return { ...identity, grant };
      }
      oauth
        .revokeToken({ token: tokens.accessToken, tokenTypeHint: "access_token" })
        .catch((error: unknown) => options.onRevokeFailure?.(error));
      return identity;
    },
  } satisfies DiscordIdentityProvider;
  return provider;
}
