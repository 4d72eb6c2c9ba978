import { sha256, utf8 } from "./sha256";

const ALPHABET = new Uint8Array(
  Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", (c) => c.charCodeAt(0)),
);

/**
 * base64url without padding (RFC 4648 §5). The characters are written to a byte array and turned into
 * one flat string at the end: appending to a string in a loop builds a deep rope, which V8 must flatten
 * again wherever the string is written out (a socket write of a header, say) — measurably slow.
 */
export function base64UrlEncode(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil((bytes.length * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ALPHABET[n >>> 18]!;
    out[o++] = ALPHABET[(n >>> 12) & 63]!;
    out[o++] = ALPHABET[(n >>> 6) & 63]!;
    out[o++] = ALPHABET[n & 63]!;
  }
  if (i < bytes.length) {
    const rest = bytes.length - i;
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = ALPHABET[n >>> 18]!;
    out[o++] = ALPHABET[(n >>> 12) & 63]!;
    if (rest === 2) out[o++] = ALPHABET[(n >>> 6) & 63]!;
  }
  return latin1.decode(out.subarray(0, o));
}

const latin1 = new TextDecoder("latin1");

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
