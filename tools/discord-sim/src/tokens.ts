import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random alphanumeric string (OAuth codes and tokens look like this on Discord: 30 chars). */
export function randomToken(length = 30): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** A bot token shaped like Discord's: base64(user id).timestamp-part.hmac-part. */
export function botTokenFor(userId: string): string {
  const head = Buffer.from(userId).toString("base64url");
  return `${head}.${randomToken(6)}.${randomToken(38)}`;
}

/** A 32-hex-digit hash, stable for the same input (avatar hashes, bucket hashes). */
export function stableHash(input: string): string {
  return createHash("md5").update(input).digest("hex");
}

/** Fast deterministic 32-hex-digit avatar hash for bulk seeding (not cryptographic). */
export function quickAvatarHash(seed: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822507);
  }
  const parts = [h1, h2, Math.imul(h1 ^ h2, 3266489909), Math.imul(h2 + 0x9e3779b9, h1 | 1)];
  return parts.map((p) => (p >>> 0).toString(16).padStart(8, "0")).join("");
}

/** base64url(sha256(verifier)), the S256 PKCE transform. */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}
