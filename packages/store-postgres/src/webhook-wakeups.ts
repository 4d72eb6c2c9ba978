import { backoffMs, type Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import type { Clock } from "@guildkit/store-kysely";
import {
  createPollingWakeups,
  linkedStop,
  NOTIFY_CHANNEL,
  type OutboxWaitOptions,
  type OutboxWakeups,
} from "@guildkit/webhook-templates";
import type { PostgresPool } from "kysely";
import type { PostgresConnectionEventHandler } from "./connection";

/** How the `LISTEN` connection is reopened after it fails; every field has a default. */
export interface ListenReconnectOptions {
  /** Wait before the first reconnection attempt (default 250 ms); it doubles after each failed one. */
  firstDelayMs?: number;
  /** Longest wait between two attempts (default 5,000 ms). */
  maxDelayMs?: number;
  /**
   * Waits between attempts (`@guildkit/core`'s `Scheduler`). Default: `systemScheduler`'s timers,
   * which never keep the process alive on their own; `store.close()` aborts the wait.
   */
  scheduler?: Scheduler;
}

/** What {@link createListenWakeups} is built from. */
export interface ListenWakeupOptions {
  report: PostgresConnectionEventHandler;
  /** Times the outage reported in `postgres.listen_restored` (default: the system clock). */
  clock?: Clock;
  reconnect?: ListenReconnectOptions;
  /** Times out waits and paces the polling fallback (default `systemScheduler`). */
  scheduler?: Scheduler;
}

/** The `LISTEN/NOTIFY` wake-ups of the Postgres store (`store.webhookWakeups`). */
export interface ListenWakeups extends OutboxWakeups {
  /** Whether `LISTEN` is subscribed right now. */
  listening(): boolean;
  /** How many waits are parked on `LISTEN` right now (a poll in progress is not counted). */
  waiting(): number;
  /** Releases the connection, stops a reconnection in progress and wakes every waiter. */
  close(): Promise<void>;
}

/**
 * Wakes the webhook outbox with `LISTEN/NOTIFY`: a wait resolves as soon as a trigger signals
 * {@link NOTIFY_CHANNEL} (or after its timeout), on one dedicated connection taken from the pool on
 * first use and released by `close()` (the store's). When that connection fails (a server restart,
 * a failover, an idle kill) the waits fall back to polling, the connection is reopened with backoff
 * and `LISTEN` subscribed again, and then every waiter is woken once so that events written
 * meanwhile are claimed. The store factory hands it to the outbox of every port set it builds.
 */
export function createListenWakeups(pool: PostgresPool, options: ListenWakeupOptions): ListenWakeups {
  const scheduler = options.scheduler ?? systemScheduler;
  const polling = createPollingWakeups({ scheduler });
  const waiters = new Set<() => void>();
  let signalled = false;
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  const listener = createListenConnection(pool, {
    report: options.report,
    clock: options.clock ?? systemClock,
    reconnect: options.reconnect,
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

  /** Parks until a NOTIFY, the connection's loss, the timeout or the signal. */
  const park = async (opts: OutboxWaitOptions): Promise<void> => {
    const stop = linkedStop(opts.signal);
    const wake = () => stop.abort();
    waiters.add(wake);
    try {
      await scheduler.sleep(Math.max(0, opts.timeoutMs), { signal: stop.signal });
    } finally {
      waiters.delete(wake);
      stop.abort();
    }
  };

  return {
    async wait(opts) {
      if (!(await listener.ready())) return polling.wait(opts);
      if (signalled) {
        signalled = false;
        return;
      }
      // Events written before LISTEN took effect (or while the worker was busy) were not signalled.
      if (await opts.due(opts.signal ? { signal: opts.signal } : {})) return;
      // The connection may have died during that query (its loss woke nobody yet): poll instead.
      if (!listener.listening()) return polling.wait(opts);
      await park(opts);
      signalled = false;
    },
    listening: () => listener.listening(),
    waiting: () => waiters.size,
    async close() {
      await listener.close();
      wakeAll();
    },
  };
}

interface ListeningClient {
  query(sql: string): Promise<unknown>;
  release(err?: Error | boolean): void;
  on(event: "notification", listener: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
}

interface ListenConnectionDeps {
  report: PostgresConnectionEventHandler;
  clock: Clock;
  reconnect?: ListenReconnectOptions;
  onNotification(): void;
  onLost(): void;
  onRestored(): void;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * The default wait between reconnections: a `systemScheduler` timer (unref'd: it never keeps the
 * process alive on its own), resolved early when the signal aborts.
 */
const unrefScheduler: Scheduler = {
  ...systemScheduler,
  sleep(ms, opts = {}) {
    const { signal } = opts;
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        systemScheduler.clear(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = systemScheduler.setTimer(new Date(systemClock.now().getTime() + Math.max(0, ms)), done);
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};

/**
 * The `LISTEN` connection: opened by the first `ready()`, reopened with backoff whenever it fails,
 * released by `close()` (which also stops a reconnection in progress).
 */
function createListenConnection(pool: PostgresPool, deps: ListenConnectionDeps) {
  const scheduler = deps.reconnect?.scheduler ?? unrefScheduler;
  const policy = {
    baseMs: deps.reconnect?.firstDelayMs ?? 250,
    capMs: deps.reconnect?.maxDelayMs ?? 5_000,
    jitter: 0,
  };
  const backoff = (attempt: number) => backoffMs(attempt, { policy });
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
