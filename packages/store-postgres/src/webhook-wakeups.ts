import { setTimeout as delay } from "node:timers/promises";
import type { Scheduler } from "@guildkit/core";
import { systemScheduler } from "@guildkit/core/system";
import type { Clock, GuildkitStore } from "@guildkit/store-kysely";
import { NOTIFY_CHANNEL } from "@guildkit/webhook-templates";
import type { PostgresPool } from "kysely";
import type { PostgresConnectionEventHandler } from "./connection";

/** How the `LISTEN` connection is reopened after it fails; every field has a default. */
export interface ListenReconnectOptions {
  /** Wait before the first reconnection attempt (default 250 ms); it doubles after each failed one. */
  firstDelayMs?: number;
  /** Longest wait between two attempts (default 5,000 ms). */
  maxDelayMs?: number;
  /**
   * Waits between attempts (`@guildkit/core`'s `Scheduler`). Default: real timers that never keep
   * the process alive on their own; `store.close()` aborts the wait.
   */
  scheduler?: Scheduler;
}

/** What {@link listenForWebhookEvents} is built from. */
export interface WebhookWakeupOptions {
  clock: Clock;
  report: PostgresConnectionEventHandler;
  reconnect?: ListenReconnectOptions;
}

interface ListeningClient {
  query(sql: string): Promise<unknown>;
  release(err?: Error | boolean): void;
  on(event: "notification", listener: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
}

// The system scheduler's timers, with a sleep that never keeps the process alive.
const unrefTimers: Scheduler = {
  ...systemScheduler,
  sleep: (ms, opts) =>
    delay(Math.max(0, ms), undefined, { ref: false, ...(opts?.signal ? { signal: opts.signal } : {}) }).then(
      () => undefined,
      () => undefined,
    ),
};

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * Wakes the webhook worker with `LISTEN/NOTIFY`: `store.webhooks.waitForEvents` resolves as soon as a
 * trigger signals {@link NOTIFY_CHANNEL} (or after its timeout), on one dedicated connection taken
 * from the pool on first use and released by `store.close()`. When that connection fails (a server
 * restart, a failover, an idle kill) the waits fall back to the polling every store has, the
 * connection is reopened with backoff and `LISTEN` subscribed again, and then every waiter is woken
 * once so that events written meanwhile are claimed.
 */
export function listenForWebhookEvents(
  store: GuildkitStore,
  pool: PostgresPool,
  options: WebhookWakeupOptions,
): void {
  const polling = store.webhooks.waitForEvents;
  const waiters = new Set<() => void>();
  let signalled = false;
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  const listener = createListenConnection(pool, {
    ...options,
    onNotification: () => {
      signalled = true;
      wakeAll();
    },
    // Waiting callers return to their loop, which polls while the connection is away.
    onLost: wakeAll,
    // Nothing was signalled while it was away: have everyone look once.
    onRestored: () => {
      signalled = true;
      wakeAll();
    },
  });

  store.webhooks.waitForEvents = async (opts, io = {}) => {
    if (!(await listener.ready())) return polling(opts, io);
    if (signalled) {
      signalled = false;
      return;
    }
    // Events written before LISTEN took effect (or while the worker was busy) were not signalled.
    if (await store.webhooks.hasDueEvents(io)) return;
    // The connection may have died during that query (its loss woke nobody yet): poll instead.
    if (!listener.listening()) return polling(opts, io);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        io.signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, opts.timeoutMs);
      waiters.add(done);
      io.signal?.addEventListener("abort", done, { once: true });
    });
    signalled = false;
  };

  const close = store.close.bind(store);
  store.close = async () => {
    await listener.close();
    wakeAll();
    return close();
  };
}

interface ListenConnectionDeps extends WebhookWakeupOptions {
  onNotification(): void;
  onLost(): void;
  onRestored(): void;
}

/**
 * The `LISTEN` connection: opened by the first `ready()`, reopened with backoff whenever it fails,
 * released by `close()` (which also stops a reconnection in progress).
 */
function createListenConnection(pool: PostgresPool, deps: ListenConnectionDeps) {
  const scheduler = deps.reconnect?.scheduler ?? unrefTimers;
  const firstDelayMs = deps.reconnect?.firstDelayMs ?? 250;
  const maxDelayMs = deps.reconnect?.maxDelayMs ?? 5_000;
  const backoff = (attempt: number) => Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1));
  const closing = new AbortController();
  let client: ListeningClient | null = null;
  let first: Promise<void> | null = null;
  let retrying: Promise<void> | null = null;

  async function subscribe(): Promise<ListeningClient> {
    const c = (await pool.connect()) as unknown as ListeningClient;
    let released = false;
    const lost = (error: Error) => {
      if (client !== c || released) return;
      released = true;
      client = null;
      c.release(error);
      if (closing.signal.aborted) return;
      deps.onLost();
      reconnect(error);
    };
    c.on("notification", (msg) => {
      if (msg.channel === NOTIFY_CHANNEL) deps.onNotification();
    });
    c.on("error", lost);
    c.on("end", () => lost(new Error("the LISTEN connection was closed by the server")));
    try {
      await c.query(`LISTEN "${NOTIFY_CHANNEL}"`);
    } catch (error) {
      released = true;
      c.release(asError(error));
      throw error;
    }
    return c;
  }

  function reconnect(error: Error): void {
    const lostAt = deps.clock.now().getTime();
    deps.report({
      kind: "postgres.listen_lost",
      level: "warn",
      message: `the webhook LISTEN connection failed (${error.message}); polling until it is reopened`,
      error,
    });
    retrying = (async () => {
      for (let attempt = 1; !closing.signal.aborted; attempt++) {
        await scheduler.sleep(backoff(attempt), { signal: closing.signal }).catch(() => {});
        if (closing.signal.aborted) return;
        try {
          adopt(await subscribe());
          if (closing.signal.aborted) return;
          deps.report({
            kind: "postgres.listen_restored",
            level: "info",
            message: `the webhook LISTEN connection is back after ${attempt} attempt(s)`,
            attempts: attempt,
            downMs: deps.clock.now().getTime() - lostAt,
          });
          deps.onRestored();
          return;
        } catch (failure) {
          deps.report({
            kind: "postgres.listen_retry",
            level: "warn",
            message: `reopening the webhook LISTEN connection failed (${asError(failure).message}); next attempt in ${backoff(attempt + 1)} ms`,
            error: asError(failure),
            attempt,
            retryInMs: backoff(attempt + 1),
          });
        }
      }
    })();
  }

  /** Keeps a fresh connection, or gives it back when `close()` came first. */
  function adopt(c: ListeningClient): void {
    if (closing.signal.aborted) c.release(true);
    else client = c;
  }

  return {
    /** Whether `LISTEN` is subscribed right now. */
    listening: (): boolean => client !== null,
    /** Whether waits can rely on `LISTEN` now; the first call opens the connection. */
    async ready(): Promise<boolean> {
      first ??= subscribe().then(adopt, (error: unknown) => {
        if (!closing.signal.aborted) reconnect(asError(error));
      });
      await first;
      return client !== null;
    },
    async close(): Promise<void> {
      closing.abort();
      await first;
      await retrying;
      const c = client;
      client = null;
      if (!c) return;
      try {
        await c.query(`UNLISTEN "${NOTIFY_CHANNEL}"`);
      } catch {
        // the connection may already be gone
      }
      c.release(true);
    },
  };
}
