import type { ConfigLoader, discordConfigSpec } from "@guildkit/config";
import type { DiscordCredentialsSource } from "@guildkit/discord-rest";
import type { OAuthClientSource } from "@guildkit/oauth-state";

type DiscordConfigLoader = ConfigLoader<typeof discordConfigSpec>;

/**
 * The OAuth client from the runtime config (`null` until both client id and secret are set), with the
 * extra scopes of `oauth_extra_scopes` (then the flows keep the member's grant), re-read at
 * most every `maxAgeMs` (default 1 s): a saved change applies within a second with no restart, and the
 * hot `GET /login/discord` does not query the database on every hit.
 */
export function createOAuthClientSource(
  config: DiscordConfigLoader,
  options: { maxAgeMs?: number; now?: () => number } = {},
): OAuthClientSource {
  const maxAgeMs = options.maxAgeMs ?? 1_000;
  const now = options.now ?? (() => performance.now());
  type Client = { clientId: string; scopes: readonly string[] };
  let cached: { value: Client | null; at: number } | null = null;
  let pending: Promise<Client | null> | null = null;
  return {
    async load(opts = {}) {
      if (cached !== null && now() - cached.at < maxAgeMs) return cached.value;
      pending ??= config
        .loadComplete(["client_id", "client_secret"], opts)
        .then((result) => {
          const value = result.ok
            ? { clientId: result.values.client_id, scopes: result.values.oauth_extra_scopes }
            : null;
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
 * The OAuth2 application's credentials for `createDiscordIdentityProvider` of `@guildkit/discord-rest`,
 * read from the runtime config at every code exchange (`null` once removed: the flows answer 503).
 */
export function createDiscordCredentialsSource(config: DiscordConfigLoader): DiscordCredentialsSource {
  return {
    async load(opts = {}) {
      const result = await config.loadComplete(["client_id", "client_secret"], opts);
      return result.ok
        ? { clientId: result.values.client_id, clientSecret: result.values.client_secret }
        : null;
    },
  };
}
