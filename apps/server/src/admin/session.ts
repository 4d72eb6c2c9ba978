import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  type Clock,
  createSessions,
  readCookie,
  type SessionStore,
  type Sessions,
} from "@guildkit/oauth-state";

/** The admin session cookie's name (`__Host-gk_admin` on https). */
export const ADMIN_COOKIE = "gk_admin";
/** An admin session unused this long (30 minutes) has expired. */
export const ADMIN_IDLE_SECONDS = 30 * 60;
/** No admin session outlives this (8 hours) from sign-in, however used. */
export const ADMIN_MAX_SECONDS = 8 * 60 * 60;

/** Options of {@link createAdminSessions}. */
export interface AdminSessionOptions {
  clock: Clock;
  /** Where sessions live: `store.adminSessions`, shared by every server on the database. */
  store: SessionStore;
  /**
   * The secret the CSRF tokens are derived from (the server's `STATE_SIGNING_KEY`), so every server
   * accepts the forms another drew.
   */
  secret: string;
  /** `Secure` cookies named `__Host-…` (the public URL is https). */
  secureCookies: boolean;
  idleTimeoutSeconds?: number;
  maxLifetimeSeconds?: number;
}

/** A signed-in admin, as a request shows it. */
export interface AdminSession {
  /** The CSRF token every form of this session must send back. */
  csrf: string;
  expiresAt: Date;
}

/** Server-side admin sessions: sign in, read a request's session, sign out. */
export interface AdminSessions {
  start(): Promise<{ setCookie: string }>;
  read(request: Request): Promise<AdminSession | null>;
  /** Whether `token` is the CSRF token of the request's session (constant time). */
  checkCsrf(session: AdminSession, token: unknown): boolean;
  end(request: Request): Promise<string>;
}

/**
 * Admin sessions on `@guildkit/oauth-state`'s session rules (32 random bytes, only the hash kept,
 * checked on every request, idle timeout and absolute lifetime) over the store's `adminSessions`:
 * they survive a restart and every server on the database knows them; signing out deletes the row.
 * The cookie is `HttpOnly; SameSite=Strict; Path=/` (`Secure` on https). The CSRF token is bound to
 * the session: an HMAC of its id under a key derived from `secret`, so it cannot be guessed without
 * the (HttpOnly) cookie.
 */
export function createAdminSessions(options: AdminSessionOptions): AdminSessions {
  const sessions: Sessions = createSessions({
    store: options.store,
    clock: options.clock,
    secureCookies: options.secureCookies,
    cookieName: ADMIN_COOKIE,
    idleTimeoutSeconds: options.idleTimeoutSeconds ?? ADMIN_IDLE_SECONDS,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? ADMIN_MAX_SECONDS,
    touchIntervalSeconds: 1,
  });
  const key = createHmac("sha256", options.secret).update("guildkit admin csrf key").digest();
  const csrfOf = (id: string) => createHmac("sha256", key).update(`admin-csrf:${id}`).digest("base64url");
  return {
    async start() {
      const { setCookie } = await sessions.start({ memberId: "admin" });
      return { setCookie: strict(setCookie) };
    },
    async read(request) {
      const session = await sessions.read(request);
      const id = readCookie(request, sessions.cookieName);
      return session && id ? { csrf: csrfOf(id), expiresAt: session.expiresAt } : null;
    },
    checkCsrf(session, token) {
      if (typeof token !== "string") return false;
      const a = Buffer.from(session.csrf);
      const b = Buffer.from(token);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    async end(request) {
      return strict(await sessions.end(request));
    },
  };
}

/** The session cookie with `SameSite=Strict` instead of the package's `Lax` (admin pages are never linked to). */
function strict(setCookie: string): string {
  return setCookie.replace("SameSite=Lax", "SameSite=Strict");
}

/** A fresh random value for the sign-in form's double-submit cookie. */
export function loginNonce(): string {
  return randomBytes(24).toString("base64url");
}
