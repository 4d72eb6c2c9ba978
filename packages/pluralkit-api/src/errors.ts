import { GuildkitError } from "@guildkit/core";

/** What went wrong with a PluralKit request. */
export type PluralKitErrorReason =
  /** 429 and the rate-limit retries ran out. */
  | "rate_limited"
  /** 5xx after the retries ran out. */
  | "server_error"
  /** No answer within `timeoutMs` (after the retries). */
  | "timeout"
  /** The connection failed (after the retries). */
  | "network"
  /** A 4xx other than 429 and 404 / 20006 (e.g. 400 for a missing User-Agent, 403 blocked). */
  | "http_error"
  /** The body was not PluralKit's JSON shape (or a 404 without code 20006: check `baseUrl`). */
  | "invalid_response";

/**
 * A PluralKit API request failed. A {@link GuildkitError}: it follows the `RetryableError` contract
 * of `@guildkit/core` (`retryable`, `retryAfterMs`, `status`, `code`; test it with
 * `isRetryableError`), as `DiscordApiError` does, so a core classifies both alike.
 *
 * @see https://pluralkit.me/api/errors/
 */
export class PluralKitApiError extends GuildkitError {
  override readonly name = "PluralKitApiError";
  readonly reason: PluralKitErrorReason;
  /** PluralKit's JSON error code (e.g. 20006), or null. */
  declare readonly code: number | null;
  /** Route template, e.g. `GET /messages/{id}`. */
  readonly route: string;
  /** The message id looked up. */
  readonly messageId: string;

  constructor(
    message: string,
    init: {
      reason: PluralKitErrorReason;
      route: string;
      messageId: string;
      status?: number | null;
      code?: number | null;
      retryable: boolean;
      retryAfterMs?: number | null;
      cause?: unknown;
    },
  ) {
    super(message, init);
    this.reason = init.reason;
    this.route = init.route;
    this.messageId = init.messageId;
  }
}
