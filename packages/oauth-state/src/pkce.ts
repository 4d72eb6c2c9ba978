import { base64url } from "jose";
import { randomBase64Url, sha256Base64Url } from "./random";

/**
 * A random PKCE code verifier (RFC 7636 §4.1): 32 bytes from the Web Crypto CSPRNG, base64url, 43
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
export function codeChallengeS256(verifier: string): Promise<string> {
  return sha256Base64Url(verifier);
}

/**
 * The PKCE code verifier of one flow, derived as `BASE64URL(HMAC-SHA256(key = browser binding,
 * "guildkit-pkce:" + nonce))` (43 characters, 256 bits). Both inputs are secret to everyone but the
 * browser that started the flow and the server: the binding lives in an `HttpOnly` cookie and never in
 * a URL, so someone who intercepts the authorization code (and even the state) cannot redeem it. The
 * derivation needs no server-side storage, so starting a flow writes nothing.
 */
export async function deriveCodeVerifier(input: { browserBinding: string; nonce: string }): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(input.browserBinding),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`guildkit-pkce:${input.nonce}`));
  return base64url.encode(new Uint8Array(mac));
}
