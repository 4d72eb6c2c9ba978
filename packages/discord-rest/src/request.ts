import { type Dispatcher, request as undiciRequest } from "undici";
import { backoffDelay } from "./backoff";
import type { BucketRegistry, BucketReservation } from "./bucket";
import {
  DiscordAbortError,
  DiscordApiError,
  DiscordNetworkError,
  DiscordRateLimitError,
  DiscordTimeoutError,
} from "./errors";
import { explainDiscordError } from "./explain";
import {
  parseRateLimitBody,
  parseRateLimitHeaders,
  type ResponseHeaders,
  retryAfterOf429,
  scopeOf429,
} from "./headers";
import type { RateLimiter } from "./limiter";
import type { Route } from "./route";
import type { createStatsRecorder } from "./stats";

/** Minimal logger: the client logs route templates and counts, never tokens. */
export interface DiscordRestLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

/** A response this client accepted (2xx). */
export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  /** Parsed JSON body, or null when empty / not JSON. */
  json: unknown;
  /** Raw body bytes when asked for (`expect: "bytes"`), else null. */
  bytes: Uint8Array | null;
  contentType: string | null;
}

/** Per-call options of the request pipeline. */
export interface SendOptions {
  base: "api" | "cdn";
  query?: Record<string, string | number | boolean | null | undefined>;
  /** JSON body. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  expect?: "json" | "bytes";
}

/** Everything the pipeline needs (built once per client). */
export interface PipelineConfig {
  token: string;
  apiBaseUrl: string;
  cdnBaseUrl: string;
  userAgent: string;
  limiter: RateLimiter;
  timeoutMs: number;
  retries: number;
  rateLimitRetries: number;
  maxRateLimitWaitMs: number;
  dispatcher: Dispatcher | undefined;
  logger: DiscordRestLogger;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  buckets: BucketRegistry;
  stats: ReturnType<typeof createStatsRecorder>;
  /** True once the client was closed: queued requests end with `DiscordAbortError`. */
  isClosed: () => boolean;
}

type Attempt =
  | { kind: "deferred" }
  | {
      kind: "answer";
      status: number;
      headers: ResponseHeaders;
      text: string | null;
      bytes: Uint8Array | null;
    }
  | { kind: "failed"; timedOut: boolean; aborted: boolean; error: unknown };

const TIMEOUT = Symbol("timeout");

function errnoOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

const UNDICI_TIMEOUTS = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function buildUrl(base: string, path: string, query: SendOptions["query"]): string {
  let url = base.replace(/\/+$/, "") + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += (url.includes("?") ? "&" : "?") + qs;
  }
  return url;
}

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function headerValue(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Holds every request while a global 429 is in force. */
export function createGlobalGate(config: Pick<PipelineConfig, "now" | "sleep">) {
  let pausedUntil = 0;
  return {
    pausedUntil: () => (pausedUntil > config.now() ? pausedUntil : null),
    pause(ms: number) {
      pausedUntil = Math.max(pausedUntil, config.now() + ms);
    },
    async wait(signal?: AbortSignal) {
      for (;;) {
        const left = pausedUntil - config.now();
        if (left <= 0) return;
        await config.sleep(left, signal);
      }
    },
  };
}

/**
 * The request pipeline: global gate → local bucket reservation → request budget (limiter) →
 * HTTP with a per-attempt timeout → bookkeeping of the answer → retry policy.
 *
 * - A 429 waits `retry_after` (global: pauses every request) and retries without consuming a retry;
 *   more than `rateLimitRetries` 429s, or one asking for more than `maxRateLimitWaitMs`, throws
 *   `DiscordRateLimitError`.
 * - 5xx, timeouts and connection failures retry with full-jitter backoff, at most `retries` times.
 * - Other 4xx throw `DiscordApiError` at once.
 */
export function createPipeline(config: PipelineConfig) {
  const gate = createGlobalGate(config);

  const abortError = (route: Route, signal: AbortSignal | undefined) =>
    config.isClosed()
      ? new DiscordAbortError(`${route.template} was dropped: the Discord client was closed`, {
          route: route.template,
        })
      : new DiscordAbortError(`${route.template} was aborted by the caller`, {
          route: route.template,
          cause: signal?.reason,
        });

  async function attempt(
    route: Route,
    reservation: BucketReservation,
    options: SendOptions,
  ): Promise<Attempt> {
    if (config.isClosed()) {
      reservation.cancel();
      return { kind: "failed", timedOut: false, aborted: true, error: null };
    }
    if (gate.pausedUntil() !== null || reservation.blocked()) {
      reservation.cancel();
      return { kind: "deferred" };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(TIMEOUT), config.timeoutMs);
    timer.unref?.();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const headers: Record<string, string> = { "user-agent": config.userAgent, ...options.headers };
    if (route.auth) headers.authorization = `Bot ${config.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const base = options.base === "cdn" ? config.cdnBaseUrl : config.apiBaseUrl;
    config.stats.counters.requests += 1;
    try {
      const response = await undiciRequest(buildUrl(base, route.path, options.query), {
        method: route.method,
        headers,
        body,
        signal,
        dispatcher: config.dispatcher,
      });
      let text: string | null = null;
      let bytes: Uint8Array | null = null;
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      if (ok && options.expect === "bytes") {
        bytes = new Uint8Array(await response.body.arrayBuffer());
      } else {
        text = await response.body.text();
      }
      return { kind: "answer", status: response.statusCode, headers: response.headers, text, bytes };
    } catch (error) {
      reservation.cancel();
      const timedOut = controller.signal.aborted || UNDICI_TIMEOUTS.has(errnoOf(error) ?? "");
      return { kind: "failed", timedOut, aborted: options.signal?.aborted === true, error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one request through the pipeline; resolves with a 2xx answer, throws a typed error otherwise. */
  async function send(route: Route, options: SendOptions): Promise<RawResponse> {
    const { signal } = options;
    let failures = 0;
    let rateLimits = 0;
    for (;;) {
      if (signal?.aborted || config.isClosed()) throw abortError(route, signal);
      let reservation: BucketReservation;
      try {
        await gate.wait(signal);
        reservation = await config.buckets.acquire(route, {
          signal,
          onWait: () => {
            config.stats.counters.bucketWaits += 1;
          },
        });
      } catch (error) {
        if (signal?.aborted || config.isClosed()) throw abortError(route, signal);
        throw error;
      }
      let result: Attempt;
      try {
        result = await config.limiter.schedule(() => attempt(route, reservation, options), { signal });
      } catch (error) {
        reservation.cancel();
        if (signal?.aborted || config.isClosed()) throw abortError(route, signal);
        throw error;
      }

      if (result.kind === "deferred") continue;

      if (result.kind === "failed") {
        if (result.aborted) throw abortError(route, signal);
        failures += 1;
        const errno = errnoOf(result.error);
        if (result.timedOut) config.stats.counters.timeouts += 1;
        else config.stats.counters.networkErrors += 1;
        if (failures > config.retries) {
          if (result.timedOut) {
            throw new DiscordTimeoutError(
              `${route.template} got no answer within ${config.timeoutMs} ms (${failures} attempts); Discord or the network is slow — retry later`,
              { route: route.template, timeoutMs: config.timeoutMs },
            );
          }
          throw new DiscordNetworkError(
            `${route.template} failed to connect (${errno ?? "network error"}, ${failures} attempts); check network access to Discord`,
            { route: route.template, errno, cause: result.error },
          );
        }
        await retryAfterBackoff(route, failures, result.timedOut ? "timeout" : (errno ?? "network"), signal);
        continue;
      }

      const info = parseRateLimitHeaders(result.headers);
      const status = result.status;

      if (status === 429) {
        const body = parseRateLimitBody(parseJson(result.text));
        const retryAfterMs = retryAfterOf429(info, body);
        const scope = scopeOf429(info, body);
        const global = scope === "global" || info.global || body.global;
        config.stats.rateLimited(scope);
        if (scope !== "shared") noteInvalid(route, status);
        if (global) {
          reservation.cancel();
          gate.pause(retryAfterMs);
        } else {
          reservation.settleRateLimited(info, retryAfterMs);
        }
        rateLimits += 1;
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
        continue;
      }

      reservation.settle(info);

      if (status >= 200 && status < 300) {
        return {
          status,
          headers: result.headers,
          json: options.expect === "bytes" ? null : parseJson(result.text),
          bytes: result.bytes,
          contentType: headerValue(result.headers, "content-type"),
        };
      }

      const json = parseJson(result.text) as { code?: unknown; message?: unknown; errors?: unknown } | null;
      const code = json && typeof json.code === "number" ? json.code : null;
      const discordMessage = json && typeof json.message === "string" ? json.message : null;
      const retryable = status >= 500;
      const makeError = () =>
        new DiscordApiError(
          explainDiscordError({ route: route.template, status, code, discordMessage, errors: json?.errors }),
          {
            route: route.template,
            status,
            code,
            retryable,
            discordMessage,
            errors: json?.errors,
          },
        );
      if (status === 401 || status === 403) noteInvalid(route, status);
      if (retryable) {
        failures += 1;
        if (failures > config.retries) throw makeError();
        await retryAfterBackoff(route, failures, `http_${status}`, signal);
        continue;
      }
      throw makeError();
    }
  }

  function noteInvalid(route: Route, status: number) {
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

  async function retryAfterBackoff(route: Route, failures: number, reason: string, signal?: AbortSignal) {
    const delay = backoffDelay(failures - 1, { random: config.random });
    config.stats.counters.retries += 1;
    config.logger.debug("discord.retry", {
      route: route.template,
      reason,
      attempt: failures,
      delayMs: delay,
    });
    try {
      await config.sleep(delay, signal);
    } catch (error) {
      if (signal?.aborted) throw abortError(route, signal);
      throw error;
    }
  }

  return { send, gate };
}
