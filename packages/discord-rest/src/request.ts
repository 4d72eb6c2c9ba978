import { apiErrorOf, noteInvalid, onRateLimited } from "./answers";
import { type Attempt, parseJson, sendAttempt } from "./attempt";
import type { BanTicket } from "./ban-guard/guard";
import type { BucketReservation } from "./bucket";
import { DiscordAbortError } from "./errors";
import { createGlobalGate, type GlobalGate } from "./global-gate";
import { parseRateLimitBody, parseRateLimitHeaders, type ResponseHeaders, scopeOf429 } from "./headers";
import type { PipelineConfig, RawResponse, SendOptions } from "./pipeline-config";
import { backoffBeforeRetry, onNoAnswer } from "./retries";
import type { Route } from "./route";

export type { DiscordRestLogger, PipelineConfig, RawResponse, SendOptions } from "./pipeline-config";

/** The request pipeline of one client (one per budget: API, CDN). */
export interface Pipeline {
  /** Sends one request; resolves with a 2xx answer, throws a typed error otherwise. */
  send(route: Route, options: SendOptions): Promise<RawResponse>;
  gate: GlobalGate;
}

function headerValue(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

type Answer = Extract<Attempt, { kind: "answer" }>;

const NO_TICKET: BanTicket = { invalid: async () => {}, release: async () => {} };

function accepted(answer: Answer, options: SendOptions): RawResponse {
  return {
    status: answer.status,
    headers: answer.headers,
    json: options.expect === "bytes" ? null : parseJson(answer.text),
    bytes: answer.bytes,
    contentType: headerValue(answer.headers, "content-type"),
  };
}

/** 401, 403 and a 429 other than `shared`: what Discord counts towards its IP ban. */
function isInvalid(result: Attempt): boolean {
  if (result.kind !== "answer") return false;
  if (result.status === 401 || result.status === 403) return true;
  if (result.status !== 429) return false;
  const info = parseRateLimitHeaders(result.headers);
  return scopeOf429(info, parseRateLimitBody(parseJson(result.text))) !== "shared";
}

/**
 * The request pipeline: ban guard → global gate → local bucket reservation → request budget (limiter) →
 * HTTP with a per-attempt timeout → bookkeeping of the answer → retry policy.
 *
 * - A 429 waits `retry_after` (global: pauses every request) and retries without consuming a retry;
 *   more than `rateLimitRetries` 429s, or one asking for more than `maxRateLimitWaitMs`, throws
 *   `DiscordRateLimitError`.
 * - 5xx, timeouts and connection failures retry with full-jitter backoff, at most `retries` times.
 * - Other 4xx throw `DiscordApiError` at once.
 */
export function createPipeline(config: PipelineConfig): Pipeline {
  const gate = createGlobalGate(config);
  const stopped = (signal: AbortSignal | undefined) => signal?.aborted === true || config.isClosed();

  const abortError = (route: Route, signal: AbortSignal | undefined) =>
    config.isClosed()
      ? new DiscordAbortError(`${route.template} was dropped: the Discord client was closed`, {
          route: route.template,
        })
      : new DiscordAbortError(`${route.template} was aborted by the caller`, {
          route: route.template,
          cause: signal?.reason,
        });

  /** Waits for the global pause and a bucket slot, then the budget's turn, and sends once. */
  async function attemptOnce(route: Route, options: SendOptions) {
    const { signal } = options;
    let reservation: BucketReservation;
    let ticket = NO_TICKET;
    const queuedAt = config.clock.now().getTime();
    try {
      ticket = (await config.banGuard?.admit(route.template, signal)) ?? NO_TICKET;
      await gate.wait(signal);
      reservation = await config.buckets.acquire(route, {
        signal,
        onWait: () => {
          config.stats.counters.bucketWaits += 1;
        },
      });
    } catch (error) {
      await ticket.release();
      if (stopped(signal)) throw abortError(route, signal);
      throw error;
    }
    try {
      const result = await config.limiter.schedule(
        () => {
          config.observer.budgetWait(route, config.clock.now().getTime() - queuedAt);
          return sendAttempt(config, gate, route, reservation, options);
        },
        { signal },
      );
      return { result, reservation, ticket };
    } catch (error) {
      reservation.cancel();
      await ticket.release();
      if (stopped(signal)) throw abortError(route, signal);
      throw error;
    }
  }

  async function retryAfterBackoff(route: Route, failures: number, reason: string, signal?: AbortSignal) {
    await backoffBeforeRetry(config, route, failures, reason, signal);
    if (signal?.aborted) throw abortError(route, signal);
  }

  async function send(route: Route, options: SendOptions): Promise<RawResponse> {
    const { signal } = options;
    let failures = 0;
    let rateLimits = 0;
    for (;;) {
      if (stopped(signal)) throw abortError(route, signal);
      const { result, reservation, ticket } = await attemptOnce(route, options);
      const invalid = isInvalid(result);
      await (invalid ? ticket.invalid() : ticket.release());
      if (result.kind === "deferred") continue;
      if (result.kind === "failed") {
        if (result.aborted) throw abortError(route, signal);
        failures += 1;
        await retryAfterBackoff(route, failures, onNoAnswer(config, route, result, failures), signal);
        continue;
      }
      const info = parseRateLimitHeaders(result.headers);
      if (result.status === 429) {
        rateLimits += 1;
        const json = parseJson(result.text);
        if (invalid) noteInvalid(config, route, 429);
        onRateLimited(config, gate, { route, info, json, reservation }, rateLimits);
        continue;
      }
      reservation.settle(info);
      if (result.status >= 200 && result.status < 300) return accepted(result, options);
      if (invalid) noteInvalid(config, route, result.status);
      const error = apiErrorOf(route, result.status, parseJson(result.text));
      if (!error.retryable) throw error;
      failures += 1;
      if (failures > config.retries) throw error;
      await retryAfterBackoff(route, failures, `http_${result.status}`, signal);
    }
  }

  return { send, gate };
}
