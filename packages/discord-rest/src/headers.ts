import type { RateLimitScope } from "./errors";

/** Response headers as undici returns them (lower-case names). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** What Discord said about the bucket a response belongs to. */
export interface RateLimitInfo {
  /** `X-RateLimit-Bucket`, or null. */
  bucket: string | null;
  /** `X-RateLimit-Limit`, or null. */
  limit: number | null;
  /** `X-RateLimit-Remaining`, or null. */
  remaining: number | null;
  /** `X-RateLimit-Reset-After` in ms, or null. */
  resetAfterMs: number | null;
  /** `X-RateLimit-Reset` as epoch ms (the server's clock; identifies the window), or null. */
  resetAtEpochMs: number | null;
  /** `X-RateLimit-Global: true` (429 only). */
  global: boolean;
  /** `X-RateLimit-Scope` (429 only), or null. */
  scope: RateLimitScope | null;
  /** `Retry-After` in ms, or null. */
  retryAfterMs: number | null;
}

function header(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? null : first.trim();
}

function number(headers: ResponseHeaders, name: string): number | null {
  const raw = header(headers, name);
  if (raw === null || raw === "") return null;
  const parsed = Number(raw);
  return Number.isFinite(parsed) ? parsed : null;
}

/** Seconds (possibly fractional) to whole milliseconds, rounded up so a wait is never short. */
export function secondsToMs(seconds: number): number {
  return Math.max(0, Math.ceil(seconds * 1000));
}

/**
 * Reads Discord's rate-limit headers.
 *
 * @see https://discord.com/developers/docs/topics/rate-limits#header-format
 */
export function parseRateLimitHeaders(headers: ResponseHeaders): RateLimitInfo {
  const resetAfter = number(headers, "x-ratelimit-reset-after");
  const reset = number(headers, "x-ratelimit-reset");
  const retryAfter = number(headers, "retry-after");
  const scope = header(headers, "x-ratelimit-scope");
  const remaining = number(headers, "x-ratelimit-remaining");
  const limit = number(headers, "x-ratelimit-limit");
  return {
    bucket: header(headers, "x-ratelimit-bucket") || null,
    limit: limit === null ? null : Math.max(0, Math.floor(limit)),
    remaining: remaining === null ? null : Math.max(0, Math.floor(remaining)),
    resetAfterMs: resetAfter === null ? null : secondsToMs(resetAfter),
    resetAtEpochMs: reset === null ? null : Math.round(reset * 1000),
    global: header(headers, "x-ratelimit-global")?.toLowerCase() === "true",
    scope: scope === "user" || scope === "global" || scope === "shared" ? scope : null,
    retryAfterMs: retryAfter === null ? null : secondsToMs(retryAfter),
  };
}

/** The parts of a 429 body this client uses. */
export interface RateLimitBody {
  /** `retry_after` (seconds, float) in ms, or null. */
  retryAfterMs: number | null;
  global: boolean;
  code: number | null;
  message: string | null;
}

/** Reads a 429 body `{ message, retry_after, global, code? }`; tolerant of anything else. */
export function parseRateLimitBody(body: unknown): RateLimitBody {
  if (body === null || typeof body !== "object") {
    return { retryAfterMs: null, global: false, code: null, message: null };
  }
  const record = body as Record<string, unknown>;
  const retryAfter = typeof record.retry_after === "number" ? record.retry_after : null;
  return {
    retryAfterMs: retryAfter === null || !Number.isFinite(retryAfter) ? null : secondsToMs(retryAfter),
    global: record.global === true,
    code: typeof record.code === "number" ? record.code : null,
    message: typeof record.message === "string" ? record.message : null,
  };
}

/**
 * How long a 429 asks us to wait: the body's `retry_after` (ms precision), else `Retry-After`, else
 * `X-RateLimit-Reset-After`, else one second.
 */
export function retryAfterOf429(info: RateLimitInfo, body: RateLimitBody): number {
  return body.retryAfterMs ?? info.retryAfterMs ?? info.resetAfterMs ?? 1000;
}

/** The scope of a 429: the header, else `global` when the body or header says so, else `user`. */
export function scopeOf429(info: RateLimitInfo, body: RateLimitBody): RateLimitScope {
  if (info.scope) return info.scope;
  return info.global || body.global ? "global" : "user";
}
