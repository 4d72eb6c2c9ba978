import type { BottleneckRedisConnection } from "../limiter";
import { lazyRedis } from "../redis-client";
import type { InvalidRequestLedger } from "./ledger";

/** Options of {@link createRedisInvalidRequestLedger}. */
export type RedisInvalidRequestLedgerOptions = BottleneckRedisConnection & {
  /** The Redis key (default `guildkit:discord:invalid`): every process of one bot (one IP budget) shares it. */
  key?: string;
  /** The counting window (default 10 minutes, Discord's). */
  windowMs?: number;
  /** Called with Redis errors (the guard then counts in the process until Redis answers again). */
  onError?: (error: unknown) => void;
};

// One sorted set: member = unique id, score = the Redis server's time in ms. Every process reads
// one clock (Redis's), so a process whose own clock is skewed counts the same window as the rest.
const NOW = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)";
const ADD = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('ZCARD', KEYS[1])`;
const COUNT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
return redis.call('ZCARD', KEYS[1])`;
const UNTIL_BELOW = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local n = redis.call('ZCARD', KEYS[1])
local below = tonumber(ARGV[2])
if n < below then return 0 end
local at = redis.call('ZRANGE', KEYS[1], n - below, n - below, 'WITHSCORES')
return math.max(0, tonumber(at[2]) + tonumber(ARGV[1]) - now + 1)`;

/**
 * Counts invalid requests in Redis, shared by every process with the same `key` — as Discord counts
 * them, per IP (one bot's processes behind one address share one key). ioredis is imported on first
 * use (an optional peer, as for the clustered budget).
 *
 * @example
 * const ledger = createRedisInvalidRequestLedger({ url: process.env.REDIS_URL! });
 */
export function createRedisInvalidRequestLedger(
  options: RedisInvalidRequestLedgerOptions,
): InvalidRequestLedger {
  const key = options.key ?? "guildkit:discord:invalid";
  const windowMs = options.windowMs ?? 10 * 60_000;
  const redis = lazyRedis(options);
  const client = () => redis.client();
  let sequence = 0;
  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  return {
    async add(id) {
      sequence += 1;
      return Number(await (await client()).eval(ADD, 1, key, windowMs, id ?? `${unique}-${sequence}`));
    },
    async remove(id) {
      await (await client()).eval("return redis.call('ZREM', KEYS[1], ARGV[1])", 1, key, id);
    },
    async count() {
      return Number(await (await client()).eval(COUNT, 1, key, windowMs));
    },
    async msUntilBelow(below) {
      return Number(await (await client()).eval(UNTIL_BELOW, 1, key, windowMs, below));
    },
    close: () => redis.close(),
  };
}
