/**
 * The error contract every guildkit adapter's failures follow, so cores decide "retry or give up"
 * with a type guard instead of reading properties off `unknown`.
 *
 * `DiscordApiError` (`@guildkit/discord-rest`) and `PluralKitApiError` (`@guildkit/pluralkit-api`)
 * implement it; a host's own adapter can too (extend {@link GuildkitError} or implement the
 * interface).
 */

/** What a caller needs to know about a failed I/O call. */
export interface RetryableError {
  readonly name: string;
  readonly message: string;
  /** True when the same call may succeed later (429, 5xx, a timeout, a dropped connection). */
  readonly retryable: boolean;
  /** The server's own wait before a retry (Discord's `retry_after`), in ms; null when it gave none. */
  readonly retryAfterMs: number | null;
  /** The HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** The API's error code (Discord's JSON code, `10015`) or an errno (`ECONNRESET`); null when none. */
  readonly code: number | string | null;
}

/** Fields of {@link GuildkitError}. */
export interface GuildkitErrorFields {
  retryable: boolean;
  retryAfterMs?: number | null;
  status?: number | null;
  code?: number | string | null;
  cause?: unknown;
}

/** A base class for errors that follow the contract. */
export class GuildkitError extends Error implements RetryableError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly status: number | null;
  readonly code: number | string | null;

  constructor(message: string, fields: GuildkitErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = "GuildkitError";
    this.retryable = fields.retryable;
    this.retryAfterMs = fields.retryAfterMs ?? null;
    this.status = fields.status ?? null;
    this.code = fields.code ?? null;
  }
}

/**
 * True when `err` follows the contract: an `Error` whose `retryable` is a boolean (and whose other
 * fields, when present, have the contract's types). Structural, so it holds across duplicated
 * installs of a package.
 */
export function isRetryableError(err: unknown): err is Error & RetryableError {
  if (!(err instanceof Error)) return false;
  const e = err as unknown as Record<string, unknown>;
  if (typeof e.retryable !== "boolean") return false;
  if (e.retryAfterMs != null && typeof e.retryAfterMs !== "number") return false;
  if (e.status != null && typeof e.status !== "number") return false;
  if (e.code != null && typeof e.code !== "number" && typeof e.code !== "string") return false;
  return true;
}

/** The server-given wait of a contract error (never negative), or null. */
export function retryAfterMsOf(err: unknown): number | null {
  if (!isRetryableError(err) || err.retryAfterMs == null || !Number.isFinite(err.retryAfterMs)) return null;
  return Math.max(0, err.retryAfterMs);
}

/** True for an abort (`AbortError`, from `AbortSignal.abort()` or `controller.abort()`). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === "AbortError";
}

const TIMEOUT_ERRNOS = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** True for a timeout: `TimeoutError` (`AbortSignal.timeout`) or a timeout errno, here or in `cause`. */
export function isTimeoutError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "TimeoutError") return true;
  const errno = errnoOf(err);
  return errno !== null && TIMEOUT_ERRNOS.has(errno);
}

/** The errno-style string code (`ECONNRESET`, `UND_ERR_SOCKET`) of `err` or of its `cause` chain. */
export function errnoOf(err: unknown): string | null {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
