import { sha256, utf8 } from "./sha256";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** base64url without padding (RFC 4648 §5). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < bytes.length) {
    const rest = bytes.length - i;
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
    if (rest === 2) out += ALPHABET[(n >>> 6) & 63]!;
  }
  return out;
}

// Random bytes are drawn from the Web Crypto CSPRNG 4 KiB at a time (one call serves ~80 flow starts;
// each call costs far more than copying out of a pool). A byte is never handed out twice.
const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let poolOffset = 0;

/** `byteLength` bytes from the Web Crypto CSPRNG (`crypto.getRandomValues`). */
export function randomBytes(byteLength: number): Uint8Array {
  if (byteLength > POOL_SIZE) return crypto.getRandomValues(new Uint8Array(byteLength));
  if (poolOffset + byteLength > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + byteLength);
  pool.fill(0, poolOffset, poolOffset + byteLength);
  poolOffset += byteLength;
  return bytes;
}

/** `byteLength` bytes from the Web Crypto CSPRNG, base64url-encoded without padding. */
export function randomBase64Url(byteLength: number): string {
  return base64UrlEncode(randomBytes(byteLength));
}

/** SHA-256 of the UTF-8 bytes of `text`, base64url-encoded without padding. */
export function sha256Base64Url(text: string): string {
  return base64UrlEncode(sha256(utf8(text)));
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
