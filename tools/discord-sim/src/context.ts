import { createFaultRegistry, DEFAULT_RANDOM_SEED } from "./faults";
import { ACCESS_TOKEN_TTL_S } from "./oauth-grants";
import {
  createGcraLimiter,
  createSlidingCounter,
  createWindowLimiter,
  DEFAULT_GLOBAL_PER_SECOND,
  DEFAULT_PLURALKIT_PER_SECOND,
  DEFAULT_ROUTE_LIMITS,
} from "./rate-limits";
import { createRequestLog, DEFAULT_REQUEST_LOG_CAP } from "./request-log";
import { createSimState, type SimState } from "./state";
import type { DiscordSimOptions, SimBucketLimit, SimResourceLimitKey, SimRouteKey } from "./types";

/** Default window for counting invalid requests: 10 minutes. */
export const DEFAULT_INVALID_WINDOW_MS = 600_000;

/**
 * Limits shared by every caller, on by default: Discord's hidden per-channel message limit, about 30
 * messages per 60 s, shared by every webhook posting into the channel (discord-api-docs#367, #1454).
 */
export const DEFAULT_RESOURCE_LIMITS: Readonly<Record<SimResourceLimitKey, SimBucketLimit>> = {
  channel_messages: { limit: 30, windowMs: 60_000 },
};

/** Options with every default applied. */
export interface ResolvedSimOptions {
  globalPerSecond: number;
  routeLimits: Record<SimRouteKey, SimBucketLimit>;
  pluralkitPerSecond: number;
  invalidWindowMs: number;
  strictUserAgent: boolean;
  /** Per-resource limits; `null` = off. */
  resourceLimits: Record<SimResourceLimitKey, SimBucketLimit | null>;
}

/** Everything a route handler needs: state, limiters, counters, faults. */
export interface SimContext {
  now: () => number;
  options: ResolvedSimOptions;
  state: SimState;
  buckets: ReturnType<typeof createWindowLimiter>;
  /** Windows of the per-resource limits (`channel_messages:<channel id>`). */
  resourceBuckets: ReturnType<typeof createWindowLimiter>;
  globalLimiter: ReturnType<typeof createWindowLimiter>;
  pluralkitLimiter: ReturnType<typeof createGcraLimiter>;
  invalid: ReturnType<typeof createSlidingCounter>;
  log: ReturnType<typeof createRequestLog>;
  faults: ReturnType<typeof createFaultRegistry>;
  limited: { user: number; global: number; shared: number; pluralkit: number; cdn: number };
  pngCache: Map<string, Buffer>;
  /** Forget state, logs, counters, limiter windows and faults. */
  reset(): void;
}

/** Builds the simulator's context from its options. */
export function createSimContext(options: DiscordSimOptions = {}): SimContext {
  const now = options.now ?? Date.now;
  const routeLimits = { ...DEFAULT_ROUTE_LIMITS, ...options.routeLimits } as Record<
    SimRouteKey,
    SimBucketLimit
  >;
  const pluralkitPerSecond = options.pluralkitPerSecond ?? DEFAULT_PLURALKIT_PER_SECOND;
  if (!options.routeLimits?.pk_message)
    routeLimits.pk_message = { limit: pluralkitPerSecond, windowMs: 1_000 };
  const resolved: ResolvedSimOptions = {
    globalPerSecond: options.globalPerSecond ?? DEFAULT_GLOBAL_PER_SECOND,
    routeLimits,
    pluralkitPerSecond,
    invalidWindowMs: options.invalidWindowMs ?? DEFAULT_INVALID_WINDOW_MS,
    strictUserAgent: options.strictUserAgent ?? false,
    resourceLimits: { ...DEFAULT_RESOURCE_LIMITS, ...options.resourceLimits },
  };
  const ctx: SimContext = {
    now,
    options: resolved,
    state: createSimState(now, {
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_S,
    }),
    buckets: createWindowLimiter(now),
    resourceBuckets: createWindowLimiter(now),
    globalLimiter: createWindowLimiter(now),
    pluralkitLimiter: createGcraLimiter(now),
    invalid: createSlidingCounter(now, resolved.invalidWindowMs),
    log: createRequestLog(options.requestLogCap ?? DEFAULT_REQUEST_LOG_CAP),
    faults: createFaultRegistry(options.randomSeed ?? DEFAULT_RANDOM_SEED),
    limited: { user: 0, global: 0, shared: 0, pluralkit: 0, cdn: 0 },
    pngCache: new Map(),
    reset() {
      ctx.state.reset();
      ctx.buckets.reset();
      ctx.resourceBuckets.reset();
      ctx.globalLimiter.reset();
      ctx.pluralkitLimiter.reset();
      ctx.invalid.reset();
      ctx.log.reset();
      ctx.faults.reset();
      ctx.limited = { user: 0, global: 0, shared: 0, pluralkit: 0, cdn: 0 };
      ctx.pngCache.clear();
    },
  };
  return ctx;
}
