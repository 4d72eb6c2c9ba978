import type { BucketReservation } from "./bucket";
import { DiscordApiError, DiscordRateLimitError } from "./errors";
import { explainDiscordError } from "./explain";
import type { GlobalGate } from "./global-gate";
import { parseRateLimitBody, type RateLimitInfo, retryAfterOf429, scopeOf429 } from "./headers";
import type { PipelineConfig } from "./pipeline-config";
import type { Route } from "./route";

/**
 * Counts an invalid request (401, 403, a 429 other than `shared`) and warns at every 1,000th in the
 * last 10 minutes: Discord bans the IP at 10,000.
 */
export function noteInvalid(config: PipelineConfig, route: Route, status: number): void {
  const count = config.stats.invalid();
  if (count > 0 && count % 1000 === 0) {
    config.logger.warn("discord.invalid_requests", {
      route: route.template,
      status,
      invalidRequestsLast10Min: count,
      note: "Discord bans the IP for a while at 10 000 invalid (401/403/429) requests in 10 minutes",
    });
  }
}

/**
 * Books a 429 (the caller counts a non-shared one as invalid): a global one pauses every request, a route one marks its bucket exhausted for
 * `retry_after`; either is waited out by the next attempt. Throws {@link DiscordRateLimitError}
 * once `rateLimits` exceeds `rateLimitRetries` or the wait exceeds `maxRateLimitWaitMs`.
 */
export function onRateLimited(
  config: PipelineConfig,
  gate: GlobalGate,
  answer: { route: Route; info: RateLimitInfo; json: unknown; reservation: BucketReservation },
  rateLimits: number,
): void {
  const { route, info, reservation } = answer;
  const body = parseRateLimitBody(answer.json);
  const retryAfterMs = retryAfterOf429(info, body);
  const scope = scopeOf429(info, body);
  const global = scope === "global" || info.global || body.global;
  config.stats.rateLimited(scope);
  config.observer.rateLimited(route, scope, retryAfterMs);
  if (global) {
    reservation.cancel();
    gate.pause(retryAfterMs);
  } else {
    reservation.settleRateLimited(info, retryAfterMs);
  }
  config.logger.warn("discord.rate_limited", {
    route: route.template,
    scope,
    retryAfterMs,
    attempt: rateLimits,
  });
  if (rateLimits > config.rateLimitRetries || retryAfterMs > config.maxRateLimitWaitMs) {
    throw new DiscordRateLimitError(
      `${route.template} was rate limited (${scope}, ${rateLimits} times, retry after ${retryAfterMs} ms); retry later or lower the request rate`,
      { route: route.template, retryAfterMs, scope, global, code: body.code },
    );
  }
}

/** The {@link DiscordApiError} of an error answer (retryable for 5xx), its message explaining what to do. */
export function apiErrorOf(route: Route, status: number, json: unknown): DiscordApiError {
  const fields = json as { code?: unknown; message?: unknown; errors?: unknown } | null;
  const code = fields && typeof fields.code === "number" ? fields.code : null;
  const discordMessage = fields && typeof fields.message === "string" ? fields.message : null;
  return new DiscordApiError(
    explainDiscordError({ route: route.template, status, code, discordMessage, errors: fields?.errors }),
    {
      route: route.template,
      status,
      code,
      retryable: status >= 500,
      discordMessage,
      errors: fields?.errors,
    },
  );
}
