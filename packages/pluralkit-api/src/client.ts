import type { Clock, Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import type { Dispatcher } from "undici";
import { createRequestBudget } from "./budget";
import { createMessageCache } from "./cache";
import { createMessageFetcher } from "./fetch-message";
import type { PluralKitMessage } from "./schema";

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
  /** The time of the budget and the cache (default `systemClock` of `@guildkit/core/system`). */
  clock?: Clock;
  /**
   * Waits between attempts and for the budget (default `systemScheduler`); tests pass fake time. The
   * per-attempt timeout (`timeoutMs`) is real time, whatever the scheduler.
   */
  scheduler?: Scheduler;
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

const SNOWFLAKE = /^\d{1,20}$/;

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
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  const budget = createRequestBudget({ rps: options.rps ?? 10, clock, scheduler });
  const cache = createMessageCache<PluralKitMessage>({
    capacity: options.cacheSize ?? 10_000,
    ttlMs: options.cacheTtlMs ?? 600_000,
    now: () => clock.now().getTime(),
  });
  const inflight = new Map<string, Promise<PluralKitMessage | null>>();
  const stats: PluralKitApiStats = { requests: 0, cacheHits: 0, rateLimited: 0 };
  const fetchMessage = createMessageFetcher({
    baseUrl,
    userAgent,
    timeoutMs: options.timeoutMs ?? 5_000,
    retries: options.retries ?? 2,
    rateLimitRetries: options.rateLimitRetries ?? 3,
    dispatcher: options.dispatcher,
    clock,
    scheduler,
    budget,
    stats,
  });

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
