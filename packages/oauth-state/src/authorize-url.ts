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
  const params: Array<[string, string]> = [
    ["response_type", "code"],
    ["client_id", input.clientId],
    ["scope", (input.scopes ?? DISCORD_OAUTH_SCOPES).join(" ")],
    ["state", input.state],
    ["redirect_uri", input.redirectUri],
    ["code_challenge", input.codeChallenge],
    ["code_challenge_method", "S256"],
  ];
  const base = input.authorizeUrl ?? DISCORD_AUTHORIZE_URL;
  const query = params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&");
  return `${base}${base.includes("?") ? "&" : "?"}${query}`;
}
