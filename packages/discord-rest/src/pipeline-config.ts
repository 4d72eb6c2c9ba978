import type { Clock, Scheduler } from "@guildkit/core";
import type { Dispatcher } from "undici";
import type { BanGuard } from "./ban-guard/guard";
import type { BucketRegistry } from "./bucket";
import type { ResponseHeaders } from "./headers";
import type { RateLimiter } from "./limiter";
import type { ObserverCalls } from "./observer";
import type { StatsRecorder } from "./stats";

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
  /** Per-attempt timeout (real time, `AbortSignal.timeout`). */
  timeoutMs: number;
  retries: number;
  rateLimitRetries: number;
  maxRateLimitWaitMs: number;
  dispatcher: Dispatcher | undefined;
  logger: DiscordRestLogger;
  clock: Clock;
  /** Waits for the global pause and the retry backoff. */
  scheduler: Scheduler;
  random: () => number;
  buckets: BucketRegistry;
  stats: StatsRecorder;
  /** Slows then stops calls as invalid requests near Discord's IP ban (null: off). */
  banGuard: BanGuard | null;
  /** Told of answers, 429s, retries and budget waits (metrics). */
  observer: ObserverCalls;
  /** True once the client was closed: queued requests end with `DiscordAbortError`. */
  isClosed: () => boolean;
}
