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
 * The PKCE code verifier of one flow, derived as `BASE64URL(HMAC-SHA256(key = browser binding,
 * "guildkit-pkce:" + nonce))` (43 characters, 256 bits). Both inputs are secret to everyone but the
 * browser that started the flow and the server: the binding lives in an `HttpOnly` cookie and never in
 * a URL, so someone who intercepts the authorization code (and even the state) cannot redeem it. The
 * derivation needs no server-side storage, so starting a flow writes nothing.
 */
export function deriveCodeVerifier(input: { browserBinding: string; nonce: string }): string {
  return createHmac("sha256", input.browserBinding)
    .update(`guildkit-pkce:${input.nonce}`)
    .digest("base64url");
}
