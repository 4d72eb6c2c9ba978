import { Buffer } from "node:buffer";
import { randomBytes, sha256Base64Url } from "./random";

/**
 * The absolute lifetime of a browser binding, in seconds (30 minutes), counted from its creation: a
 * binding is reused by later starts in the same browser (two tabs can sign in at once) only while it
 * has the whole flow's chain left (login + signup confirmation: 15 minutes; link: 1 minute), and its
 * cookie keeps its original expiry — starting again never extends it.
 */
export const BROWSER_BINDING_MAX_AGE_SECONDS = 1800;

const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** The first 6 bytes (8 base64url characters) hold the creation time in unix seconds. */
const TIME_BYTES = 6;

/**
 * A fresh browser binding: its creation time (6 bytes) and 26 random bytes, base64url (43 characters).
 * The HTTP layer sets it as an `HttpOnly; SameSite=Lax` cookie when a flow starts; the state token
 * carries only its SHA-256 hash, and the callback must present the cookie. A state started in another
 * browser is refused (`browser_mismatch`), which closes login CSRF.
 */
export function createBrowserBinding(now: Date): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUIntBE(Math.floor(now.getTime() / 1000), 0, TIME_BYTES);
  randomBytes(32 - TIME_BYTES).copy(bytes, TIME_BYTES);
  return bytes.toString("base64url");
}

/** True when `value` has the shape {@link createBrowserBinding} produces. */
export function isBrowserBinding(value: unknown): value is string {
  return typeof value === "string" && BINDING_PATTERN.test(value);
}

/**
 * Seconds the binding has left at `now` ({@link BROWSER_BINDING_MAX_AGE_SECONDS} after its creation),
 * or 0 when `value` is not a binding, has expired, or is dated in the future.
 */
export function browserBindingSecondsLeft(value: unknown, now: Date): number {
  if (!isBrowserBinding(value)) return 0;
  const createdAt = Buffer.from(value.slice(0, 8), "base64url").readUIntBE(0, TIME_BYTES);
  const age = Math.floor(now.getTime() / 1000) - createdAt;
  return age < 0 || age >= BROWSER_BINDING_MAX_AGE_SECONDS ? 0 : BROWSER_BINDING_MAX_AGE_SECONDS - age;
}

/** The hash of a browser binding that goes into a state token (base64url SHA-256). */
export function hashBrowserBinding(binding: string): string {
  return sha256Base64Url(`gk-bb:${binding}`);
}
