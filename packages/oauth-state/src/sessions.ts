import { hostCookieName, type RequestHeaders, readCookie, setCookie } from "./cookies";
import { OAuthConfigError } from "./errors";
import type { Clock, IoOptions, SessionStore, StoredSession } from "./ports";
import { randomBase64Url, sha256Base64Url } from "./random";

/** Default session cookie name (prefixed `__Host-` when cookies are `Secure`). */
export const SESSION_COOKIE = "gk_session";
/** Default idle timeout: a session unused this long (12 hours) has expired. */
export const SESSION_IDLE_TIMEOUT_SECONDS = 12 * 60 * 60;
/** Default absolute lifetime: no session outlives this (7 days) from its creation, however used. */
export const SESSION_MAX_LIFETIME_SECONDS = 7 * 24 * 60 * 60;
/** Default: a session's last use is written at most once per this many seconds (1 minute). */
export const SESSION_TOUCH_INTERVAL_SECONDS = 60;

/** A session id: 32 random bytes, base64url (43 characters). Anything else is not looked up. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Options of {@link createSessions}. */
export interface SessionsOptions {
  /** Where sessions live (the SQLite/Postgres stores' `oauth.sessions`, or `createMemorySessionStore()`). */
  store: SessionStore;
  clock: Clock;
  /** `Secure` cookies named `__Host-…` (set it when the public URL is https). */
  secureCookies: boolean;
  /** Cookie name without the `__Host-` prefix; default `gk_session`. */
  cookieName?: string;
  /** Idle timeout in seconds; default {@link SESSION_IDLE_TIMEOUT_SECONDS}. */
  idleTimeoutSeconds?: number;
  /** Absolute lifetime in seconds; default {@link SESSION_MAX_LIFETIME_SECONDS}. */
  maxLifetimeSeconds?: number;
  /** Least time between two writes of a session's last use; default {@link SESSION_TOUCH_INTERVAL_SECONDS}. */
  touchIntervalSeconds?: number;
}

/** A valid session, as {@link Sessions.read} returns it. */
export type ActiveSession = StoredSession;

/**
 * Server-side, revocable sessions for any host: the id is 32 random bytes (the cookie's value), the store
 * keeps only its SHA-256, and every request is checked against the store, so signing out, "sign out
 * everywhere", and deleting a member end sessions for real. Requests are anything with
 * `headers.get(name)` (a Fetch `Request`).
 */
export interface Sessions {
  /** The cookie's name (`__Host-gk_session` with secure cookies). */
  readonly cookieName: string;
  /** Sign `memberId` in: store a new session; `setCookie` is the `Set-Cookie` value to send. */
  start(input: { memberId: string }, opts?: IoOptions): Promise<{ setCookie: string; expiresAt: Date }>;
  /**
   * The request's session, or `null` (no cookie, two cookies of the name, unknown, revoked or expired).
   * Slides the idle timeout — never past the absolute lifetime — writing at most once per touch interval.
   */
  read(request: RequestHeaders, opts?: IoOptions): Promise<ActiveSession | null>;
  /** The signed-in member of a request, or `null`. */
  memberIdOf(request: RequestHeaders, opts?: IoOptions): Promise<string | null>;
  /** Sign out: revoke the request's session; resolves the `Set-Cookie` value that clears the cookie. */
  end(request: RequestHeaders, opts?: IoOptions): Promise<string>;
  /** Sign out everywhere: revoke every session of the request's member (this one included). */
  endEverywhere(request: RequestHeaders, opts?: IoOptions): Promise<{ setCookie: string; revoked: number }>;
  /** Revoke every session of the request's member except the request's own; resolves how many. */
  revokeOthers(request: RequestHeaders, opts?: IoOptions): Promise<number>;
  /** Revoke every session of `memberId` (e.g. when a host disables a member); resolves how many. */
  revokeMember(input: { memberId: string }, opts?: IoOptions): Promise<number>;
  /** Delete expired sessions (schedule it, e.g. hourly); resolves how many. */
  purgeExpired(opts?: IoOptions): Promise<number>;
  /** The `Set-Cookie` value that clears the session cookie. */
  clearCookie(): string;
}

/** The stored key of a session id: base64url SHA-256 of the id (the id itself is never stored). */
export function hashSessionId(sessionId: string): string {
  return sha256Base64Url(sessionId);
}

/**
 * Creates the session rules over a {@link SessionStore}: cookie `HttpOnly; SameSite=Lax; Path=/`, plus
 * `Secure` and the `__Host-` prefix with `secureCookies`; `Max-Age` the absolute lifetime; an idle
 * timeout that slides with use.
 *
 * @throws OAuthConfigError when a duration is not a positive whole number of seconds, or the idle
 *   timeout exceeds the absolute lifetime.
 */
export function createSessions(options: SessionsOptions): Sessions {
  const idle = seconds(options.idleTimeoutSeconds, SESSION_IDLE_TIMEOUT_SECONDS, "idleTimeoutSeconds");
  const max = seconds(options.maxLifetimeSeconds, SESSION_MAX_LIFETIME_SECONDS, "maxLifetimeSeconds");
  const touchEvery = seconds(
    options.touchIntervalSeconds,
    SESSION_TOUCH_INTERVAL_SECONDS,
    "touchIntervalSeconds",
  );
  if (idle > max) {
    throw new OAuthConfigError("idleTimeoutSeconds must not exceed maxLifetimeSeconds", {
      code: "invalid_option",
      option: "idleTimeoutSeconds",
    });
  }
  const { store, clock } = options;
  const secure = options.secureCookies;
  const cookieName = hostCookieName(options.cookieName ?? SESSION_COOKIE, secure);
  const clear = setCookie(cookieName, "", { maxAge: 0, secure });
  /** The presented id's hash, or `null` when the request carries no well-formed id. */
  const presentedHash = (request: RequestHeaders): string | null => {
    const id = readCookie(request, cookieName);
    return id !== null && SESSION_ID_PATTERN.test(id) ? hashSessionId(id) : null;
  };
  /** When a session used at `now` expires: idle timeout from now, capped by its absolute lifetime. */
  const expiryAt = (createdAt: Date, now: Date) =>
    new Date(Math.min(now.getTime() + idle * 1000, createdAt.getTime() + max * 1000));

  async function readHashed(
    request: RequestHeaders,
    opts: IoOptions,
  ): Promise<{ idHash: string; session: ActiveSession } | null> {
    const idHash = presentedHash(request);
    if (idHash === null) return null;
    const now = clock.now();
    const stored = await store.read({ idHash, now }, opts);
    // The absolute lifetime holds even if a store kept a row past it.
    if (stored === null || expiryAt(stored.createdAt, now) <= now) return null;
    if (now.getTime() - stored.lastSeenAt.getTime() < touchEvery * 1000) return { idHash, session: stored };
    const expiresAt = expiryAt(stored.createdAt, now);
    const touched = await store.touch({ idHash, now, expiresAt }, opts);
    return touched ? { idHash, session: { ...stored, lastSeenAt: now, expiresAt } } : null;
  }

  return {
    cookieName,
    async start({ memberId }, opts = {}) {
      const id = randomBase64Url(32);
      const createdAt = clock.now();
      const expiresAt = expiryAt(createdAt, createdAt);
      await store.create({ idHash: hashSessionId(id), memberId, createdAt, expiresAt }, opts);
      return { setCookie: setCookie(cookieName, id, { maxAge: max, secure }), expiresAt };
    },
    async read(request, opts = {}) {
      return (await readHashed(request, opts))?.session ?? null;
    },
    async memberIdOf(request, opts = {}) {
      return (await readHashed(request, opts))?.session.memberId ?? null;
    },
    async end(request, opts = {}) {
      const idHash = presentedHash(request);
      if (idHash !== null) await store.revoke({ idHash }, opts);
      return clear;
    },
    async endEverywhere(request, opts = {}) {
      const current = await readHashed(request, opts);
      const revoked =
        current === null ? 0 : await store.revokeMember({ memberId: current.session.memberId }, opts);
      return { setCookie: clear, revoked };
    },
    async revokeOthers(request, opts = {}) {
      const current = await readHashed(request, opts);
      if (current === null) return 0;
      return store.revokeMember({ memberId: current.session.memberId, exceptIdHash: current.idHash }, opts);
    },
    revokeMember: ({ memberId }, opts = {}) => store.revokeMember({ memberId }, opts),
    purgeExpired: (opts = {}) => store.purgeExpired({ now: clock.now() }, opts),
    clearCookie: () => clear,
  };
}

function seconds(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new OAuthConfigError(`${option} must be a positive whole number of seconds`, {
      code: "invalid_option",
      option,
    });
  }
  return value;
}
