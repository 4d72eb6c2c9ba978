import { Buffer } from "node:buffer";
import { createHash, timingSafeEqual as equalBuffers, randomFillSync } from "node:crypto";

// Random bytes are drawn from node:crypto's CSPRNG 4 KiB at a time (one call serves ~80 flow starts;
// each call costs far more than copying out of a pool). A byte is never handed out twice.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** `byteLength` bytes (at most 4096) from node:crypto's CSPRNG (`randomFillSync`). */
export function randomBytes(byteLength: number): Buffer {
  if (poolOffset + byteLength > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + byteLength));
  pool.fill(0, poolOffset, poolOffset + byteLength);
  poolOffset += byteLength;
  return bytes;
}

/** `byteLength` random bytes, base64url-encoded without padding. */
export function randomBase64Url(byteLength: number): string {
  return randomBytes(byteLength).toString("base64url");
}

/** SHA-256 of the UTF-8 bytes of `text`, base64url-encoded without padding. */
export function sha256Base64Url(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && equalBuffers(left, right);
}
