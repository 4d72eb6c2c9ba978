import { systemScheduler } from "@guildkit/core/system";
import Bottleneck from "bottleneck";
import { adaptBottleneckScripts, redisClockOffset } from "./bottleneck-redis";
import { createSharedStartGuard, type RedisScriptClient } from "./shared-start-guard";
import { createStartGuard, type StartGuard } from "./start-guard";

/**
 * The request budget port: runs `fn` when the budget allows. The Discord client sends every HTTP
 * request (retries included) through it, so the budget bounds what reaches Discord.
 */
export interface RateLimiter {
  /**
   * Runs `fn` once a start slot is free. Rejects with `signal.reason` if the signal aborts while the
   * job still waits (the job then never runs `fn`).
   */
  schedule<T>(fn: () => Promise<T>, opts?: { signal?: AbortSignal; weight?: number }): Promise<T>;
  /** Stops the limiter and releases its connections (optional). */
  close?(): Promise<void>;
}

/** The smallest part of an ioredis client the clustered limiter needs (it duplicates it for pub/sub). */
export interface RedisClientLike {
  duplicate(...args: never[]): unknown;
  defineCommand(...args: never[]): unknown;
  on(...args: never[]): unknown;
  status: string;
}

/**
 * ioredis constructor options, typed here by the fields this package documents so that its
 * published types do not need ioredis installed (it is an optional peer). Every other ioredis
 * option (`maxRetriesPerRequest`, `retryStrategy`, `sentinels`, …) passes through to ioredis as it
 * is, and a value typed as ioredis's own `RedisOptions` is accepted.
 */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  /** A Unix socket path instead of `host`/`port`. */
  path?: string;
  username?: string;
  password?: string;
  /** The database number. */
  db?: number;
  /**
   * Any other ioredis option, passed through unchanged — `tls` among them: TLS options (`rediss://`
   * URLs turn TLS on by themselves), or with ioredis 6.1+ a profile name (`"RedisCloudFixed"`). It
   * is not declared here because ioredis 5 and 6.1 type it differently; each accepts its own.
   */
  // biome-ignore lint/suspicious/noExplicitAny: `unknown` would refuse ioredis's own RedisOptions interface (no index signature).
  [option: string]: any;
}

/**
 * Where a clustered budget's Redis connection comes from: a URL or ioredis options (a connection
 * the limiter opens and closes), or the caller's ioredis instance (left open).
 */
export type BottleneckRedisConnection =
  | {
      /** `redis://[user:password@]host:port/db` (`rediss://` for TLS); host, port, credentials and database number are honoured. */
      url: string;
      /** More ioredis options; where both set a field, the URL wins. */
      options?: RedisConnectionOptions;
    }
  | {
      /** ioredis constructor options (`host`, `port`, `db`, `password`, `tls`, …). */
      options: RedisConnectionOptions;
    }
  | {
      /** An ioredis instance; the limiter duplicates it for pub/sub and closes only the duplicate. */
      client: RedisClientLike;
    };

/** Sharing one budget between processes through Redis (bottleneck clustering). */
export type BottleneckRedisOptions = BottleneckRedisConnection & {
  /** The budget's name: every limiter with the same id shares one budget. */
  id: string;
  /** Redis keys expire after this long without use (default 10 minutes). */
  ttlMs?: number;
  /**
   * While Redis does not answer, each process sends at most this many requests per second on a
   * budget of its own (default 1), so that the shared budget holds with up to `rps` processes; set it
   * to `rps / processes` or lower. Requests already queued in Redis wait for it to come back.
   */
  fallbackRps?: number;
  /**
   * After Redis comes back, each process keeps to its fallback budget this much longer (default
   * 3 000 ms, longer than ioredis's 2 s between reconnect attempts): the processes reconnect one by
   * one, and one already back on the full shared budget beside another still on its fallback would
   * together send more than `rps`.
   */
  recoveryMs?: number;
};

/** Options of {@link createBottleneckLimiter}. */
export interface BottleneckLimiterOptions {
  /** Requests that may start in any 1-second window (default 3). */
  rps?: number;
  /**
   * Requests that may start back-to-back after an idle period (default 1, at most `rps − 1` when
   * above 1). The guarantee "at most `rps` starts in any second" holds for every value, so a burst of
   * `b > 1` lowers the sustained rate to `rps − b` per second; keep 1 for the highest sustained rate.
   */
  burst?: number;
  /** Share the budget between processes through Redis; ioredis is then imported on first use. */
  redis?: BottleneckRedisOptions;
  /**
   * Extra spacing as a fraction of `1000 / rps` (default 0.02; 0.05 with `redis`): slack for the jitter between a start
   * here and the server's clock, so that `rps + 1` requests never land in one second at the server
   * (20 ms per second at 3 rps). Larger delays — a cold connection, an event-loop stall — are caught
   * by the start guard, which holds a slot longer after a slow answer.
   */
  margin?: number;
  /** Called with limiter and Redis errors (default: ignored). */
  onError?: (error: unknown) => void;
}

/** Default safety margin of the spacing (see {@link BottleneckLimiterOptions.margin}). */
export const DEFAULT_MARGIN = 0.02;
/** Default of {@link BottleneckRedisOptions.recoveryMs}. */
export const DEFAULT_RECOVERY_MS = 3_000;
/** Default margin of a Redis-clustered budget: starts in other processes go through Redis round trips and their own timers. */
export const DEFAULT_CLUSTER_MARGIN = 0.05;

/**
 * Milliseconds between two starts so that at most `rps` start in any 1-second window:
 * `ceil(1000 / rps × (1 + margin))`. With 3 rps and the default margin: 340 ms (2.94 starts/s).
 */
export function startSpacingMs(rps: number, margin = DEFAULT_MARGIN): number {
  return Math.ceil((1000 / rps) * (1 + margin));
}

/** The bottleneck settings that enforce the budget (exported for tests and documentation). */
export function bottleneckSettings(
  rps: number,
  burst = 1,
  margin = DEFAULT_MARGIN,
): Bottleneck.ConstructorOptions {
  if (!(rps > 0) || !Number.isFinite(rps)) throw new RangeError(`rps must be a positive number, got ${rps}`);
  if (!Number.isInteger(burst) || burst < 1)
    throw new RangeError(`burst must be an integer ≥ 1, got ${burst}`);
  if (burst === 1) return { minTime: startSpacingMs(rps, margin), maxConcurrent: null };
  if (burst >= rps) {
    throw new RangeError(
      `burst (${burst}) must be below rps (${rps}): a full-second burst leaves no room for refills within the same second`,
    );
  }
  // Token bucket: `burst` tokens, one more every interval. In any second at most
  // burst + ceil(1000 / interval) = burst + (rps − burst) = rps requests start.
  const interval = startSpacingMs(rps - burst, margin);
  return {
    minTime: 0,
    maxConcurrent: null,
    reservoir: burst,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: interval,
    reservoirIncreaseMaximum: burst,
    heartbeatInterval: Math.min(50, interval),
  };
}

const SKIPPED = Symbol("skipped");

/** Start guards of clustered budgets, by budget id and settings (one per budget per process). */
const clusterGuards = new Map<string, StartGuard>();

function sharedGuard(key: string, create: () => StartGuard): StartGuard {
  let guard = clusterGuards.get(key);
  if (!guard) {
    guard = create();
    clusterGuards.set(key, guard);
  }
  return guard;
}

/**
 * Creates the default request budget: bottleneck spacing starts `startSpacingMs(rps)` apart (or a
 * token bucket when `burst > 1`) so that at most `rps` requests start in any 1-second window. With
 * `redis`, bottleneck's clustering (`datastore: "ioredis"`) makes every limiter with the same `id`
 * — in any process — share that one budget; the newest limiter's settings win.
 *
 * @example
 * const limiter = createBottleneckLimiter({ rps: 3, redis: { url: "redis://127.0.0.1:6379/0", id: "discord-bot" } });
 */
export function createBottleneckLimiter(options: BottleneckLimiterOptions = {}): RateLimiter {
  const rps = options.rps ?? 3;
  const margin = options.margin ?? (options.redis ? DEFAULT_CLUSTER_MARGIN : DEFAULT_MARGIN);
  const settings = bottleneckSettings(rps, options.burst ?? 1, margin);
  /** The window every start guard counts in: one second plus the margin. */
  const windowMs = Math.ceil(1000 * (1 + margin));
  const onError = options.onError ?? (() => {});
  let closeConnection: (() => Promise<void>) | null = null;
  /** The clustered budget's Redis client, once built (its `status` is `ready` while Redis answers). */
  let redisClient: { status: string } | null = null;
  /** Until then (performance.now ms) this process keeps to its fallback budget: Redis just came back. */
  let recoveringUntil = 0;
  /** When Redis was lost (performance.now ms): the shared window's last starts are unknown for a window. */
  let lostAt = Number.NEGATIVE_INFINITY;
  let provideClient: (client: RedisScriptClient) => void = () => {};
  const sharedClient = new Promise<RedisScriptClient>((resolve) => {
    provideClient = resolve;
  });
  // Starts counted in Redis across processes, right before each request (see shared-start-guard.ts).
  const sharedStarts = options.redis
    ? createSharedStartGuard({
        client: () => sharedClient,
        key: `guildkit:budget:${options.redis.id}:starts`,
        rps,
        windowMs,
        scheduler: systemScheduler,
        onError,
      })
    : null;
  let stopClock = () => {};
  // While Redis is away: a conservative budget of this process's own.
  const fallback = options.redis
    ? new Bottleneck(bottleneckSettings(options.redis.fallbackRps ?? 1, 1, margin))
    : null;
  fallback?.on("error", onError);

  const build = async (): Promise<Bottleneck> => {
    if (!options.redis) {
      const limiter = new Bottleneck(settings);
      limiter.on("error", onError);
      return limiter;
    }
    const redis = options.redis;
    const { default: Redis } = await import("ioredis");
    const callerClient = "client" in redis ? redis.client : null;
    const client =
      "client" in redis
        ? redis.client
        : "url" in redis
          ? new Redis(redis.url, redis.options ?? {})
          : new Redis(redis.options);
    const connection = new Bottleneck.IORedisConnection({
      client,
      Redis,
    } as Bottleneck.IORedisConnectionOptions);
    connection.on("error", onError);
    const clock = redisClockOffset(client as unknown as { time(): Promise<[string, string]> }, onError);
    await clock.measure().catch(onError);
    adaptBottleneckScripts(connection, clock.now);
    stopClock = clock.stop;
    redisClient = client as unknown as { status: string };
    // A reconnect (a `ready` after the connection was lost) starts the recovery period.
    let lost = false;
    const events = client as unknown as { on(event: string, listener: () => void): unknown };
    events.on("close", () => {
      if (!lost) lostAt = performance.now();
      lost = true;
    });
    events.on("ready", () => {
      if (lost) recoveringUntil = performance.now() + (redis.recoveryMs ?? DEFAULT_RECOVERY_MS);
      lost = false;
    });
    provideClient(client as unknown as RedisScriptClient);
    const limiter = new Bottleneck({
      ...settings,
      id: redis.id,
      datastore: "ioredis",
      connection,
      timeout: redis.ttlMs ?? 10 * 60_000,
    });
    limiter.on("error", onError);
    await limiter.ready();
    // An existing budget keeps its stored settings; make ours current.
    await limiter.updateSettings(settings);
    closeConnection = async () => {
      await limiter.disconnect(true);
      if (callerClient) {
        // Our connection duplicated the caller's client for pub/sub: close only the duplicate.
        const subscriber = (connection as unknown as { subscriber?: { quit(): Promise<unknown> } })
          .subscriber;
        await subscriber?.quit();
      } else {
        await connection.disconnect(true);
      }
    };
    return limiter;
  };

  // Holds each start until the server cannot count rps + 1 in one second (see start-guard.ts).
  // Limiters of one clustered budget in one process share their guard; across processes the
  // budget rests on bottleneck's spacing and the margin.
  const guard = options.redis
    ? sharedGuard(`${options.redis.id}|${rps}|${margin}`, () => createStartGuard({ rps, windowMs }))
    : createStartGuard({ rps, windowMs });

  let bottleneck: Promise<Bottleneck> | null = null;
  const get = () => {
    bottleneck ??= build();
    return bottleneck;
  };

  return {
    async schedule<T>(fn: () => Promise<T>, opts: { signal?: AbortSignal; weight?: number } = {}) {
      const { signal } = opts;
      signal?.throwIfAborted();
      const clustered = await get();
      signal?.throwIfAborted();
      const away =
        redisClient !== null && (redisClient.status !== "ready" || performance.now() < recoveringUntil);
      const limiter = fallback && away ? fallback : clustered;
      let abandoned = false;
      const job = limiter.schedule({ weight: opts.weight ?? 1 }, async (): Promise<T | typeof SKIPPED> => {
        if (abandoned || signal?.aborted) return SKIPPED;
        // A job the shared budget held while Redis was away waits out the recovery period too; the
        // first fallback starts wait until the shared budget's last starts (gone with Redis) are a
        // window old.
        const hold =
          limiter === clustered ? recoveringUntil - performance.now() : lostAt + windowMs - performance.now();
        if (hold > 0) await systemScheduler.sleep(hold);
        if (abandoned || signal?.aborted) return SKIPPED;
        const answered = await guard.admit();
        try {
          // Fallback jobs too once Redis is back: the ones queued while it was away must not add
          // their own rate to the shared one.
          const sharedAnswered =
            limiter !== fallback || redisClient?.status === "ready" ? await sharedStarts?.admit() : undefined;
          try {
            if (abandoned || signal?.aborted) return SKIPPED;
            return await fn();
          } finally {
            sharedAnswered?.();
          }
        } finally {
          answered();
        }
      });
      if (!signal) return job as Promise<T>;
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => {
          abandoned = true;
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        job.then(
          (value) => {
            signal.removeEventListener("abort", onAbort);
            if (value !== SKIPPED) resolve(value);
          },
          (error: unknown) => {
            signal.removeEventListener("abort", onAbort);
            reject(error);
          },
        );
      });
    },
    async close() {
      stopClock();
      await fallback?.stop({ dropWaitingJobs: true }).catch(() => {});
      if (!bottleneck) return;
      const limiter = await bottleneck.catch(() => null);
      if (!limiter) return;
      if (closeConnection) await closeConnection();
      else await limiter.stop({ dropWaitingJobs: true }).catch(() => {});
    },
  };
}
