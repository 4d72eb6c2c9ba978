import { GuildkitError, type RetryableError } from "@guildkit/core";

/**
 * The fields every request error from this package carries: `@guildkit/core`'s error contract
 * ({@link RetryableError}, tested with `isRetryableError`) plus the route. Every class below extends
 * {@link GuildkitError}, so a core classifies a failure (retry it, wait, or give up) without
 * importing this adapter.
 */
export interface DiscordErrorFields extends RetryableError {
  /** True when sending the same request again later may succeed (429, 5xx, timeout, network). */
  readonly retryable: boolean;
  /** How long to wait before retrying, when the server said so (429 `retry_after`), else null. */
  readonly retryAfterMs: number | null;
  /** HTTP status, or null when no answer arrived. */
  readonly status: number | null;
  /** Discord JSON error code (e.g. 50013), or null. */
  readonly code: number | null;
  /** Route template with `:id` placeholders, e.g. `GET /guilds/:guild/members/:user`. Never holds a token. */
  readonly route: string;
}

interface ErrorInit {
  route: string;
  status?: number | null;
  code?: number | null;
  retryAfterMs?: number | null;
  cause?: unknown;
}

/**
 * Discord answered with an error status that this client does not retry (or stopped retrying):
 * 4xx other than 429, or a 5xx after the retries ran out.
 *
 * The message says what happened and what to do (e.g. for 403 / 50013 on a role route: move the
 * bot's role above the managed role). `discordMessage` is Discord's own text, `errors` the nested
 * 50035 form errors when present.
 *
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
 */
export class DiscordApiError extends GuildkitError implements DiscordErrorFields {
  override readonly name = "DiscordApiError";
  declare readonly status: number;
  declare readonly code: number | null;
  readonly route: string;
  /** Discord's `message` field as received. */
  readonly discordMessage: string | null;
  /** Discord's nested `errors` object (50035 Invalid Form Body), or null. */
  readonly errors: unknown;

  constructor(
    message: string,
    init: ErrorInit & {
      status: number;
      retryable: boolean;
      discordMessage?: string | null;
      errors?: unknown;
    },
  ) {
    super(message, init);
    this.route = init.route;
    this.discordMessage = init.discordMessage ?? null;
    this.errors = init.errors ?? null;
  }
}

/** Which limit a 429 came from: a route bucket (`user`), the per-token `global` limit, or a `shared` resource. */
export type RateLimitScope = "user" | "global" | "shared";

/**
 * A request was rate limited more than the caller allows: more 429s than `rateLimitRetries`, or a
 * single `retry_after` longer than `maxRateLimitWaitMs`. Retry after `retryAfterMs`.
 *
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
export class DiscordRateLimitError extends GuildkitError implements DiscordErrorFields {
  override readonly name = "DiscordRateLimitError";
  declare readonly retryable: true;
  declare readonly status: number;
  declare readonly code: number | null;
  readonly route: string;
  /** The `X-RateLimit-Scope` of the last 429, or null if absent. */
  readonly scope: RateLimitScope | null;
  /** True when the last 429 was the global limit. */
  readonly global: boolean;

  constructor(
    message: string,
    init: ErrorInit & { retryAfterMs: number | null; scope: RateLimitScope | null; global: boolean },
  ) {
    super(message, {
      retryable: true,
      retryAfterMs: init.retryAfterMs,
      status: init.status ?? 429,
      code: init.code,
    });
    this.route = init.route;
    this.scope = init.scope;
    this.global = init.global;
  }
}

/**
 * The ban guard refused to send a call: invalid requests (401, 403, non-shared 429) in the last
 * 10 minutes reached its stop threshold (default 5,000; Discord bans the IP at 10,000). Retryable
 * after `retryAfterMs`, when the window falls below the threshold again. No request was sent.
 */
export class DiscordBanGuardError extends GuildkitError implements RetryableError {
  override readonly name = "DiscordBanGuardError";
  declare readonly retryable: true;
  declare readonly retryAfterMs: number;
  declare readonly status: null;
  declare readonly code: "ban_guard_stopped";
  readonly route: string;
  /** The invalid requests counted in the window when the call was refused. */
  readonly invalidRequests: number;

  constructor(message: string, init: { route: string; retryAfterMs: number; invalidRequests: number }) {
    super(message, { retryable: true, retryAfterMs: init.retryAfterMs, code: "ban_guard_stopped" });
    this.route = init.route;
    this.invalidRequests = init.invalidRequests;
  }
}

/**
 * No answer arrived within `timeoutMs` (after the retries ran out). Retryable. Its `name` is
 * `TimeoutError`, the platform's convention (as `AbortSignal.timeout()` uses), so generic code
 * recognises it.
 */
export class DiscordTimeoutError extends GuildkitError implements DiscordErrorFields {
  override readonly name = "TimeoutError";
  declare readonly retryable: true;
  declare readonly retryAfterMs: null;
  declare readonly status: null;
  declare readonly code: null;
  readonly route: string;
  /** The per-attempt timeout that elapsed. */
  readonly timeoutMs: number;

  constructor(message: string, init: { route: string; timeoutMs: number; cause?: unknown }) {
    super(message, { retryable: true, cause: init.cause });
    this.route = init.route;
    this.timeoutMs = init.timeoutMs;
  }
}

/** The connection failed (refused, reset, closed, DNS) after the retries ran out. Retryable. */
export class DiscordNetworkError extends GuildkitError implements DiscordErrorFields {
  override readonly name = "DiscordNetworkError";
  declare readonly retryable: true;
  declare readonly retryAfterMs: null;
  declare readonly status: null;
  declare readonly code: null;
  readonly route: string;
  /** The system or undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`, or null. */
  readonly errno: string | null;

  constructor(message: string, init: { route: string; errno: string | null; cause?: unknown }) {
    super(message, { retryable: true, cause: init.cause });
    this.route = init.route;
    this.errno = init.errno;
  }
}

/**
 * The caller's AbortSignal fired (while queued, waiting for a bucket, or in flight). Not retryable.
 * Its `name` is `AbortError`, the platform's convention, so generic abort handling recognises it.
 */
export class DiscordAbortError extends GuildkitError implements DiscordErrorFields {
  override readonly name = "AbortError";
  declare readonly retryable: false;
  declare readonly retryAfterMs: null;
  declare readonly status: null;
  declare readonly code: null;
  readonly route: string;

  constructor(message: string, init: { route: string; cause?: unknown }) {
    super(message, { retryable: false, cause: init.cause });
    this.route = init.route;
  }
}

/** Discord answered 2xx but the body did not have the expected shape (zod validation failed). */
export class DiscordResponseError extends GuildkitError implements DiscordErrorFields {
  override readonly name = "DiscordResponseError";
  declare readonly retryable: false;
  declare readonly retryAfterMs: null;
  declare readonly status: number;
  declare readonly code: null;
  readonly route: string;
  /** Where the body differed from the expected shape (`path: message` lines). */
  readonly issues: string[];

  constructor(message: string, init: { route: string; status: number; issues: string[] }) {
    super(message, { retryable: false, status: init.status });
    this.route = init.route;
    this.issues = init.issues;
  }
}

/** Why {@link parseWebhookUrl} rejected a URL. */
export type WebhookUrlErrorReason = "not_a_url" | "not_https" | "unknown_host" | "not_a_webhook_path";

/**
 * A webhook URL could not be parsed (not retryable: the same URL fails again). The message never
 * repeats the URL (it holds the token).
 */
export class DiscordWebhookUrlError extends GuildkitError {
  override readonly name = "DiscordWebhookUrlError";
  declare readonly retryable: false;
  declare readonly code: "invalid_webhook_url";
  readonly reason: WebhookUrlErrorReason;

  constructor(message: string, reason: WebhookUrlErrorReason) {
    super(message, { retryable: false, code: "invalid_webhook_url" });
    this.reason = reason;
  }
}

/**
 * The OAuth2 token endpoint or `/users/@me` with a Bearer token refused the request. `error` is the
 * RFC 6749 code (`invalid_grant`, `invalid_client`, …) or `invalid_token` for a rejected access token.
 * Secrets (client secret, code, verifier, tokens) never appear in the message.
 *
 * @see https://discord.com/developers/docs/topics/oauth2
 */
export class DiscordOAuthError extends GuildkitError implements DiscordErrorFields {
  override readonly name = "DiscordOAuthError";
  readonly error: string;
  readonly description: string | null;
  declare readonly status: number;
  declare readonly code: number | null;
  readonly route: string;

  constructor(
    message: string,
    init: {
      error: string;
      description: string | null;
      status: number;
      route: string;
      retryable?: boolean;
      retryAfterMs?: number | null;
      code?: number | null;
    },
  ) {
    super(message, {
      retryable: init.retryable ?? false,
      retryAfterMs: init.retryAfterMs,
      status: init.status,
      code: init.code,
    });
    this.error = init.error;
    this.description = init.description;
    this.route = init.route;
  }
}

/** Any error this package throws for a request. */
export type DiscordRequestError =
  | DiscordApiError
  | DiscordRateLimitError
  | DiscordBanGuardError
  | DiscordTimeoutError
  | DiscordNetworkError
  | DiscordAbortError
  | DiscordResponseError
  | DiscordOAuthError;
