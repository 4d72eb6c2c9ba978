import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How long a one-time sign-in link is valid (15 minutes). */
export const SIGN_IN_LINK_SECONDS = 15 * 60;

/** A one-time sign-in code whose signature and expiry hold: what {@link checkSignInCode} returns. */
export interface SignInCode {
  /** The random part: consumed once in the store's nonces (`admin-once:<nonce>`). */
  nonce: string;
  expiresAt: Date;
}

const CODE = /^([A-Za-z0-9_-]{22})\.([0-9]{10})\.([A-Za-z0-9_-]{43})$/;

const mac = (adminToken: string, nonce: string, expires: string) =>
  createHmac("sha256", adminToken).update(`guildkit admin sign-in:${nonce}:${expires}`).digest("base64url");

/**
 * A one-time sign-in code for the admin console: `<nonce>.<expiry>.<HMAC>` under the admin token
 * (whoever can mint one already holds the token), valid {@link SIGN_IN_LINK_SECONDS} from `now`.
 * `pnpm start` prints `/admin/login?once=<code>`; the console signs in with it once.
 */
export function mintSignInCode(adminToken: string, now: Date, ttlSeconds = SIGN_IN_LINK_SECONDS): string {
  const nonce = randomBytes(16).toString("base64url");
  const expires = String(Math.floor(now.getTime() / 1000) + ttlSeconds).padStart(10, "0");
  return `${nonce}.${expires}.${mac(adminToken, nonce, expires)}`;
}

/**
 * The code's nonce and expiry when it is well formed, signed with `adminToken` and not expired at
 * `now`; `null` otherwise (whatever is wrong: the page says only that the link is invalid or expired).
 * Single use is the caller's: consume the nonce.
 */
export function checkSignInCode(adminToken: string, code: unknown, now: Date): SignInCode | null {
  if (typeof code !== "string" || adminToken === "") return null;
  const match = CODE.exec(code);
  if (!match) return null;
  const [, nonce = "", expires = "", signature = ""] = match;
  const expected = Buffer.from(mac(adminToken, nonce, expires));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const expiresAt = new Date(Number(expires) * 1000);
  return expiresAt.getTime() > now.getTime() ? { nonce, expiresAt } : null;
}
