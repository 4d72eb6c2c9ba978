import { createHmac, timingSafeEqual } from "node:crypto";

/** Name of the reference app's session cookie. */
export const SESSION_COOKIE = "gk_session";

/** How long a session lasts, in seconds (12 hours). */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/**
 * The reference app's minimal session: a signed cookie `v1.<member id>.<expiry s>.<HMAC-SHA256>` (the
 * key is derived from the state signing key with its own label). Enough to make the reference server
 * usable alone; a host application keeps its own sessions and only implements `onLoginComplete`.
 */
export function createSessionCookies(options: { secret: string; secure: boolean; now: () => Date }) {
  const key = createHmac("sha256", options.secret).update("guildkit-reference-session").digest();
  const mac = (payload: string) => createHmac("sha256", key).update(payload).digest("base64url");
  const attributes = `Path=/; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
  return {
    /** The `Set-Cookie` value signing `memberId` in. */
    issue(memberId: string): string {
      const expires = Math.floor(options.now().getTime() / 1000) + SESSION_MAX_AGE_SECONDS;
      const payload = `v1.${Buffer.from(memberId).toString("base64url")}.${expires}`;
      return `${SESSION_COOKIE}=${payload}.${mac(payload)}; Max-Age=${SESSION_MAX_AGE_SECONDS}; ${attributes}`;
    },
    /** The `Set-Cookie` value signing out. */
    clear(): string {
      return `${SESSION_COOKIE}=; Max-Age=0; ${attributes}`;
    },
    /** The signed-in member id of a cookie value, or `null` (missing, altered or expired). */
    read(value: string | null): string | null {
      if (value === null) return null;
      const parts = value.split(".");
      if (parts.length !== 4 || parts[0] !== "v1") return null;
      const [version, id, expires, signature] = parts as [string, string, string, string];
      const expected = Buffer.from(mac(`${version}.${id}.${expires}`));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      if (!(Number(expires) > options.now().getTime() / 1000)) return null;
      const memberId = Buffer.from(id, "base64url").toString();
      return memberId.length > 0 ? memberId : null;
    },
  };
}

/** What {@link createSessionCookies} returns. */
export type SessionCookies = ReturnType<typeof createSessionCookies>;
