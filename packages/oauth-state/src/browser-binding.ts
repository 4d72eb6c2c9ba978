import { randomBase64Url, sha256Base64Url } from "./random";

/**
 * How long the browser-binding cookie lives, in seconds: long enough for the longest chain (a 5-minute
 * login state followed by a 10-minute signup confirmation), short enough to be harmless.
 */
export const BROWSER_BINDING_MAX_AGE_SECONDS = 900;

const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A fresh browser binding: 32 random bytes, base64url (43 characters). The HTTP layer sets it as an
 * `HttpOnly; SameSite=Lax` cookie when a flow starts; the state token carries only its SHA-256 hash, and
 * the callback must present the cookie. A state started in another browser is refused
 * (`browser_mismatch`), which closes login CSRF.
 */
export function createBrowserBinding(): string {
  return randomBase64Url(32);
}

/** True when `value` has the shape {@link createBrowserBinding} produces (a cookie value worth reusing). */
export function isBrowserBinding(value: unknown): value is string {
  return typeof value === "string" && BINDING_PATTERN.test(value);
}

/** The hash of a browser binding that goes into a state token (base64url SHA-256). */
export function hashBrowserBinding(binding: string): string {
  // The label keeps the input within one SHA-256 block (6 + 43 bytes).
  return sha256Base64Url(`gk-bb:${binding}`);
}
