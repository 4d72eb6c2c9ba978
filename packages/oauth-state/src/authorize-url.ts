/** Discord's OAuth2 authorization page. */
export const DISCORD_AUTHORIZE_URL = "https://discord.com/oauth2/authorize";

/** The scopes every flow asks for: the user (`identify`) and their email with its `verified` flag (`email`). */
export const DISCORD_OAUTH_SCOPES: readonly string[] = Object.freeze(["identify", "email"]);

/**
 * The authorization URL for the authorization-code grant with PKCE S256. Scopes are joined with `%20`,
 * as Discord documents.
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
 */
export function buildAuthorizeUrl(input: {
  /** Authorization page; default {@link DISCORD_AUTHORIZE_URL}. */
  authorizeUrl?: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  /** Default {@link DISCORD_OAUTH_SCOPES}. */
  scopes?: readonly string[];
}): string {
  const base = input.authorizeUrl ?? DISCORD_AUTHORIZE_URL;
  const scopes = (input.scopes ?? DISCORD_OAUTH_SCOPES).join(" ");
  const key = `${base}\n${input.clientId}\n${input.redirectUri}\n${scopes}`;
  let prefix = prefixes.get(key);
  if (prefix === undefined) {
    // The parts that only change with the settings are encoded once.
    const fixed: Array<[string, string]> = [
      ["response_type", "code"],
      ["client_id", input.clientId],
      ["scope", scopes],
      ["redirect_uri", input.redirectUri],
      ["code_challenge_method", "S256"],
    ];
    prefix = `${base}${base.includes("?") ? "&" : "?"}${fixed.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
    if (prefixes.size >= 64) prefixes.clear();
    prefixes.set(key, prefix);
  }
  return `${prefix}&state=${encodeURIComponent(input.state)}&code_challenge=${encodeURIComponent(input.codeChallenge)}`;
}

const prefixes = new Map<string, string>();
