/**
 * Discord's per-channel message limit, counted in Redis: every worker posting into a channel shares
 * its budget, as Discord counts it (about 30 messages per 60 s per channel, whichever webhook posts).
 * The in-process budget of `@guildkit/webhook-templates` (`createChannelBudget`) sees only its own
 * worker's messages; with several workers the channel would get several budgets' worth.
 */
import type { Clock } from "@guildkit/core";
import { systemClock } from "@guildkit/core/system";
import type { BottleneckRedisConnection } from "./limiter";
import { lazyRedis } from "./redis-client";

/**
 * The `ChannelBudget` port of `@guildkit/webhook-templates`, declared here by shape so this package
 * does not depend on it (the worker checks the two agree with `satisfies`).
 */
export interface SharedChannelBudget {
  reserve(opts: { channelId: string; now: Date }, io?: { signal?: AbortSignal }): Promise<number>;
  block(opts: { channelId: string; until: Date }, io?: { signal?: AbortSignal }): Promise<void>;
}

/** Options of {@link createRedisChannelBudget}. */
export type RedisChannelBudgetOptions = BottleneckRedisConnection & {
  /** Messages per window and channel (Discord's: 30). */
  limit: number;
  /** The window in ms, with the margin for network latency (Discord's 60 000 plus 1 000). */
  windowMs: number;
  /** Key prefix (default `guildkit:budget:`, before the delivery's channel key `channel:<id>`); one sorted set and one block key per channel. */
  keyPrefix?: string;
  /** Used while Redis does not answer (e.g. `createChannelBudget()`); without it a post goes ahead. */
  fallback?: SharedChannelBudget;
  /** Called with Redis errors. */
  onError?: (error: unknown) => void;
  /** The clock `block`'s `until` was computed on (default `systemClock`). */
  clock?: Clock;
};

// Every process reads one clock, Redis's: a worker whose clock is skewed counts the same window.
const NOW = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)";
// KEYS: window set, block key. ARGV: window, limit, member. 0 = taken, else ms until one is free.
const RESERVE = `${NOW}
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], n - tonumber(ARGV[2]), n - tonumber(ARGV[2]), 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)`;
// KEYS: block key. ARGV: ms from now. Keeps the later of the two blocks.
const BLOCK = `${NOW}
local untilAt = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilAt > current then redis.call('SET', KEYS[1], untilAt, 'PX', math.max(1, untilAt - now)) end
return 0`;

/**
 * Creates a channel budget in Redis (one sliding window per channel, `windowMs` long, on the Redis
 * server's clock). While Redis is away it answers from `fallback`.
 *
 * @example
 * import { CHANNEL_WINDOW_MARGIN_MS, DEFAULT_CHANNEL_LIMIT } from "@guildkit/webhook-templates";
 * const channelBudget = createRedisChannelBudget({
 *   url: process.env.REDIS_URL!,
 *   limit: DEFAULT_CHANNEL_LIMIT.limit,
 *   windowMs: DEFAULT_CHANNEL_LIMIT.windowMs + CHANNEL_WINDOW_MARGIN_MS,
 * });
 */
export function createRedisChannelBudget(
  options: RedisChannelBudgetOptions,
): SharedChannelBudget & { close(): Promise<void> } {
  if (!Number.isInteger(options.limit) || options.limit < 1)
    throw new RangeError(`channel limit must be a positive integer, got ${options.limit}`);
  if (!(options.windowMs > 0))
    throw new RangeError(`channel window must be positive, got ${options.windowMs}`);
  const prefix = options.keyPrefix ?? "guildkit:budget:";
  const redis = lazyRedis(options);
  const onError = options.onError ?? (() => {});
  let sequence = 0;
  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  return {
    async reserve(opts, io) {
      io?.signal?.throwIfAborted();
      sequence += 1;
      try {
        const client = await redis.client();
        const keys = [`${prefix}${opts.channelId}`, `${prefix}${opts.channelId}:blocked`];
        return Number(
          await client.eval(RESERVE, 2, ...keys, options.windowMs, options.limit, `${unique}-${sequence}`),
        );
      } catch (error) {
        onError(error);
        return options.fallback ? options.fallback.reserve(opts, io) : 0;
      }
    },
    async block(opts, io) {
      io?.signal?.throwIfAborted();
      await options.fallback?.block(opts, io);
      const ms = Math.max(1, opts.until.getTime() - (options.clock ?? systemClock).now().getTime());
      try {
        await (await redis.client()).eval(BLOCK, 1, `${prefix}${opts.channelId}:blocked`, ms);
      } catch (error) {
        onError(error);
      }
    },
    close: () => redis.close(),
  };
}
