import { type Dispatcher, request } from "undici";
import { createRequestBudget, parseResetHeader, realSleep, type Sleep } from "./budget";
import { createMessageCache } from "./cache";
import { PluralKitApiError } from "./errors";
import { type PluralKitMessage, pluralKitErrorSchema, pluralKitMessageSchema } from "./schema";

/** Options of {@link createPluralKitApi}. */
export interface PluralKitApiOptions {
  /** API base (default `https://api.pluralkit.me/v2`); point it at `tools/discord-sim` in tests. */
  baseUrl?: string;
  /** Sent as `User-Agent` on every request; PluralKit requires one. Say who you are and how to reach you. */
  userAgent: string;
  /** Requests per second, burst included (default 10, PluralKit's limit). */
  rps?: number;
  /** Message ids cached (the proxied and the original id each count; default 10,000; 0 disables). */
  cacheSize?: number;
  /** How long a cached answer is served (default 10 min). */
  cacheTtlMs?: number;
  /** Time allowed per attempt, answer and body included (default 5,000 ms). */
  timeoutMs?: number;
  /** Retries after a 5xx, a timeout or a network failure (default 2). */
  retries?: number;
  /** Retries after a 429, each after PluralKit's `retry_after` (default 3). */
  rateLimitRetries?: number;
  /** undici dispatcher (an `Agent`, a `MockAgent`, a proxy); default the global one. */
  dispatcher?: Dispatcher;
  /** Epoch ms (default `Date.now`); for tests. */
  now?: () => number;
  /** Waits between attempts and for the budget (default real timers); for tests. */
  sleep?: Sleep;
}

/** Counters since creation. */
export interface PluralKitApiStats {
  /** HTTP requests sent. */
  requests: number;
  /** Lookups answered from the cache. */
  cacheHits: number;
  /** 429 answers received. */
  rateLimited: number;
}

/**
 * PluralKit API v2 client. `getMessage` satisfies the `ProxyLookup` port of
 * `@guildkit/pk-speedbump`.
 */
export interface PluralKitApi {
  /**
   * Looks up a proxied message by its id, or by the original (deleted) message id — PluralKit
   * answers for the original for 30 minutes. Resolves to null when PluralKit does not know it
   * (404, code 20006). Answers are cached under both ids; concurrent lookups of one id share a
   * request.
   *
   * @throws {PluralKitApiError} when PluralKit cannot be reached or answers an error.
   * @see https://pluralkit.me/api/endpoints/#get-proxied-message-information
   */
  getMessage(opts: { id: string; signal?: AbortSignal }): Promise<PluralKitMessage | null>;
  /** Forgets every cached answer. */
  clearCache(): void;
  stats(): PluralKitApiStats;
}

const ROUTE = "GET /messages/{id}";
const SNOWFLAKE = /^\d{1,20}$/;
/** PluralKit's window is one second; never trust a reset header further out than this. */
const MAX_RESET_WAIT_MS = 2_000;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Creates a PluralKit API v2 client with a request budget (10 req/s by default), 429 handling
 * (`retry_after` in milliseconds; `X-RateLimit-Reset` in seconds or milliseconds), retries of
 * 5xx and network failures, and an LRU cache by message id.
 *
 * @throws {TypeError} when `userAgent` is empty or `baseUrl` is not an http(s) URL.
 */
export function createPluralKitApi(options: PluralKitApiOptions): PluralKitApi {
  const userAgent = options.userAgent?.trim();
  if (!userAgent) {
    throw new TypeError(
      "createPluralKitApi: userAgent is required (PluralKit rejects requests without one); e.g. 'my-relay/1.0 (+https://example.org/contact)'",
    );
  }
  const baseUrl = (options.baseUrl ?? "https://api.pluralkit.me/v2").replace(/\/+$/, "");
  if (!/^https?:\/\//.test(baseUrl))
    throw new TypeError(`createPluralKitApi: baseUrl must be http(s), got ${baseUrl}`);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const budget = createRequestBudget({ rps: options.rps ?? 10, now, sleep });
  const cache = createMessageCache<PluralKitMessage>({
    capacity: options.cacheSize ?? 10_000,
    ttlMs: options.cacheTtlMs ?? 600_000,
    now,
  });
  const inflight = new Map<string, Promise<PluralKitMessage | null>>();
  const stats: PluralKitApiStats = { requests: 0, cacheHits: 0, rateLimited: 0 };

  function fail(
    id: string,
    message: string,
    init: Omit<ConstructorParameters<typeof PluralKitApiError>[1], "route" | "messageId">,
  ) {
    return new PluralKitApiError(message, { ...init, route: ROUTE, messageId: id });
  }

  function observeLimits(headers: Record<string, string | string[] | undefined>): void {
    if (header(headers, "x-ratelimit-remaining") !== "0") return;
    const reset = parseResetHeader(header(headers, "x-ratelimit-reset"));
    if (reset !== null) budget.pauseUntil(Math.min(reset, now() + MAX_RESET_WAIT_MS));
  }

  async function fetchMessage(id: string): Promise<PluralKitMessage | null> {
    let failures = 0;
    let limited = 0;
    for (;;) {
      await budget.acquire();
      const timeout = AbortSignal.timeout(timeoutMs);
      let status: number;
      let text: string;
      let headers: Record<string, string | string[] | undefined>;
      try {
        stats.requests++;
        const res = await request(`${baseUrl}/messages/${id}`, {
          method: "GET",
          headers: { "user-agent": userAgent, accept: "application/json" },
          signal: timeout,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
        status = res.statusCode;
        headers = res.headers;
        text = await res.body.text();
      } catch (cause) {
        failures++;
        const timedOut = timeout.aborted;
        if (failures > retries) {
          throw fail(
            id,
            timedOut
              ? `PluralKit did not answer within ${timeoutMs} ms (${failures} attempts)`
              : `could not reach PluralKit at ${baseUrl} (${failures} attempts): ${(cause as Error).message}`,
            { reason: timedOut ? "timeout" : "network", retryable: true, cause },
          );
        }
        await sleep(250 * 2 ** (failures - 1));
        continue;
      }
      observeLimits(headers);
      const body = text ? parseJson(text) : null;
      const error = pluralKitErrorSchema.safeParse(body);
      const code = error.success ? (error.data.code ?? null) : null;

      if (status === 200) {
        const parsed = pluralKitMessageSchema.safeParse(body);
        if (!parsed.success) {
          throw fail(
            id,
            `PluralKit answered a message in an unexpected shape: ${parsed.error.issues[0]?.message}`,
            {
              reason: "invalid_response",
              status,
              retryable: false,
            },
          );
        }
        return parsed.data;
      }
      if (status === 404 && code === 20006) return null;
      if (status === 429) {
        stats.rateLimited++;
        limited++;
        const fromBody = error.success ? error.data.retry_after : undefined;
        const reset = parseResetHeader(header(headers, "x-ratelimit-reset"));
        const wait = Math.max(
          0,
          fromBody ?? (reset !== null ? Math.min(reset - now(), MAX_RESET_WAIT_MS) : 1_000),
        );
        budget.pauseUntil(now() + wait);
        if (limited > rateLimitRetries) {
          throw fail(id, `PluralKit kept answering 429 Too Many Requests; retry after ${wait} ms`, {
            reason: "rate_limited",
            status,
            code,
            retryable: true,
            retryAfterMs: wait,
          });
        }
        continue;
      }
      if (status >= 500) {
        failures++;
        if (failures > retries) {
          throw fail(id, `PluralKit answered ${status} (${failures} attempts)`, {
            reason: "server_error",
            status,
            code,
            retryable: true,
          });
        }
        await sleep(250 * 2 ** (failures - 1));
        continue;
      }
      if (status === 404) {
        throw fail(
          id,
          `PluralKit answered 404 without code 20006 for ${ROUTE}; is baseUrl (${baseUrl}) the v2 API?`,
          {
            reason: "invalid_response",
            status,
            retryable: false,
          },
        );
      }
      const said = error.success && error.data.message ? `: ${error.data.message}` : "";
      throw fail(id, `PluralKit answered ${status}${said}`, {
        reason: "http_error",
        status,
        code,
        retryable: false,
      });
    }
  }

  return {
    getMessage({ id, signal }) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (!SNOWFLAKE.test(id)) return Promise.resolve(null);
      const cached = cache.get(id);
      if (cached) {
        stats.cacheHits++;
        return Promise.resolve(cached);
      }
      let shared = inflight.get(id);
      if (!shared) {
        shared = fetchMessage(id).then((message) => {
          if (message)
            cache.set(message.original ? [message.id, message.original, id] : [message.id, id], message);
          return message;
        });
        const forget = () => inflight.delete(id);
        shared.then(forget, forget);
        inflight.set(id, shared);
      }
      return raceAbort(shared, signal);
    },
    clearCache: () => cache.clear(),
    stats: () => ({ ...stats }),
  };
}
