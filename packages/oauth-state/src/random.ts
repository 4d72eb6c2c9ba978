import { base64url } from "jose";

/** `byteLength` bytes from the Web Crypto CSPRNG, base64url-encoded without padding. */
export function randomBase64Url(byteLength: number): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(byteLength)));
}

/** SHA-256 of the UTF-8 bytes of `text`, base64url-encoded without padding. */
export async function sha256Base64Url(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return base64url.encode(new Uint8Array(digest));
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
