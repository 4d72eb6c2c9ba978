import { createHmac } from "node:crypto";
import { randomBase64Url, sha256Base64Url } from "./random";

/**
 * A random PKCE code verifier (RFC 7636 §4.1): 32 bytes from node:crypto's CSPRNG, base64url, 43
 * characters.
 */
export function createCodeVerifier(): string {
  return randomBase64Url(32);
}

/**
 * The S256 code challenge of a verifier: `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
 */
export function codeChallengeS256(verifier: string): string {
  return sha256Base64Url(verifier);
}

/**
 * The PKCE code verifier of one flow, derived as `BASE64URL(HMAC-SHA256(key, "guildkit-pkce-v2:" +
 * browser binding + ":" + nonce))` (43 characters, 256 bits). `key` is the PKCE key derived from the
 * state signing secret, so the verifier depends on a server secret as well as on the browser's binding
 * (an `HttpOnly` cookie, never in a URL) and the state's nonce (which travels in the URL): someone who
 * intercepts the authorization code and the state — or planted a binding cookie and knows it — still
 * cannot compute it. The derivation needs no server-side storage, so starting a flow writes nothing.
 */
export function deriveCodeVerifier(input: {
  key: Uint8Array;
  browserBinding: string;
  nonce: string;
}): string {
  return createHmac("sha256", input.key)
    .update(`guildkit-pkce-v2:${input.browserBinding}:${input.nonce}`)
    .digest("base64url");
}
