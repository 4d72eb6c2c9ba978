import type { BottleneckRedisConnection, RedisConnectionOptions } from "./limiter";

/** The part of an ioredis client the Redis-backed ledgers and budgets call. */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

/**
 * The caller's client, or a new one that fails fast while Redis is away (no offline queue, one
 * retry per request, 2 s to connect): the callers then count in the process until Redis answers.
 */
export async function connectRedis(
  options: BottleneckRedisConnection & { onError?: (error: unknown) => void },
): Promise<{ client: RedisEval; owned: boolean }> {
  if ("client" in options) return { client: options.client as unknown as RedisEval, owned: false };
  const { default: Redis } = await import("ioredis");
  const extra: RedisConnectionOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  };
  const client =
    "url" in options
      ? new Redis(options.url, { ...extra, ...(options.options ?? {}) })
      : new Redis({ ...extra, ...options.options });
  const owned = client as unknown as RedisEval;
  owned.on("error", (error) => options.onError?.(error));
  try {
    await owned.connect();
  } catch (error) {
    owned.disconnect();
    throw error;
  }
  return { client: owned, owned: true };
}

/** A lazily connected client: a failed connection is tried again on the next call. */
export function lazyRedis(options: BottleneckRedisConnection & { onError?: (error: unknown) => void }) {
  let connection: Promise<{ client: RedisEval; owned: boolean }> | null = null;
  return {
    async client(): Promise<RedisEval> {
      connection ??= connectRedis(options).catch((error: unknown) => {
        connection = null;
        throw error;
      });
      return (await connection).client;
    },
    async close(): Promise<void> {
      if (!connection) return;
      const c = await connection.catch(() => null);
      if (c?.owned) await c.client.quit().catch(() => {});
    },
  };
}
