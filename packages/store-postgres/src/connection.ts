/**
 * Connection loss on PostgreSQL: what the store reports, how it keeps a failed connection from
 * crashing the process, and how a caller recognises "the database is away" in an error.
 */

/**
 * What the store reports through `onConnectionEvent` (see {@link createPostgresStore}). None of these
 * is fatal: the store keeps working once the database answers again. Route them to your logger
 * (`level` says how loud); `error` carries only name, message, code and stack — never the
 * connection's parameters or password.
 */
export type PostgresConnectionEvent =
  | {
      /** An idle pooled connection failed (server restart, failover, idle kill); the pool dropped it and opens a new one on the next query. */
      kind: "postgres.pool_error";
      level: "warn";
      message: string;
      error: Error;
    }
  | {
      /** The `LISTEN` connection of the webhook wake-ups failed (or could not be opened): waits poll until it is back. */
      kind: "postgres.listen_lost";
      level: "warn";
      message: string;
      error: Error;
    }
  | {
      /** A reconnection of the `LISTEN` connection failed; the next one is in `retryInMs`. */
      kind: "postgres.listen_retry";
      level: "warn";
      message: string;
      error: Error;
      attempt: number;
      retryInMs: number;
    }
  | {
      /** `LISTEN` is subscribed again; waiters were woken once to pick up what was written meanwhile. */
      kind: "postgres.listen_restored";
      level: "info";
      message: string;
      attempts: number;
      downMs: number;
    };

/** Receives {@link PostgresConnectionEvent}s. It must not throw (an exception is ignored). */
export type PostgresConnectionEventHandler = (event: PostgresConnectionEvent) => void;

/** What {@link watchPool} needs of a pool: pg's `Pool` events. */
interface EventfulPool {
  on(event: "error", listener: (error: Error) => void): unknown;
  on(
    event: "connect",
    listener: (client: { on(event: "error", listener: () => void): unknown }) => void,
  ): unknown;
}

/**
 * A copy of a driver error with only its name, message, code and stack. pg attaches the failed
 * client to the errors its pool emits (`err.client`, connection parameters and password included),
 * and a logger serialising every property would print it.
 */
function bare(error: Error): Error {
  const copy = new Error(error.message);
  copy.name = error.name;
  copy.stack = error.stack;
  const { code } = error as { code?: unknown };
  return typeof code === "string" ? Object.assign(copy, { code }) : copy;
}

/**
 * Calls `handler` with the event's error reduced to name, message, code and stack, and swallows
 * what it throws: reporting must never break the store.
 */
export function safeReporter(
  handler: PostgresConnectionEventHandler | undefined,
): PostgresConnectionEventHandler {
  return (event) => {
    if (!handler) return;
    try {
      handler("error" in event ? { ...event, error: bare(event.error) } : event);
    } catch {
      // a failing log hook is not the store's problem
    }
  };
}

/**
 * Keeps a failed connection from crashing the process. pg emits `error` on the pool when an idle
 * connection dies, and on the client when a checked-out one does; with no listener Node throws
 * ("Unhandled 'error' event"). The pool's `error` is reported as `postgres.pool_error`; a
 * checked-out client's is only silenced, since the query in flight (or the next one) rejects with
 * it and its caller sees it. A pool without `on` (a minimal stand-in) is left alone.
 */
export function watchPool(pool: unknown, report: PostgresConnectionEventHandler): void {
  if (typeof (pool as Partial<EventfulPool>).on !== "function") return;
  const eventful = pool as EventfulPool;
  eventful.on("error", (error) => {
    report({
      kind: "postgres.pool_error",
      level: "warn",
      message: `an idle PostgreSQL connection failed and was dropped: ${error.message}`,
      error,
    });
  });
  eventful.on("connect", (client) => {
    client.on("error", () => {});
  });
}

/** Socket-level failures: the server is unreachable or the connection broke. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** SQLSTATEs of a server going away or not accepting connections yet. */
const SERVER_CODES = new Set([
  "57P01", // admin_shutdown: "terminating connection due to administrator command"
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: "the database system is starting up / shutting down"
  "53300", // too_many_connections
]);

/** pg's own messages for a connection that is gone or never came. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Client was closed/,
];

/**
 * Whether `error` says the database is away rather than that a query is wrong: the server is
 * unreachable, restarting, shutting down or refusing connections, or the connection broke (pg's
 * errors, socket errors, SQLSTATE class 08 and 57P01–57P03). Looks through `cause` and
 * `AggregateError.errors`. Such a failure is worth retrying later; a server maps it to 503.
 *
 * @example
 * try { await store.ping() } catch (error) { if (isConnectionError(error)) return retryLater() }
 */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== "object") return false;
    const { code, message, cause, errors } = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (
      typeof code === "string" &&
      (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith("08"))
    )
      return true;
    if (typeof message === "string" && PG_MESSAGES.some((pattern) => pattern.test(message))) return true;
    if (Array.isArray(errors) && errors.some((inner) => isConnectionError(inner))) return true;
    e = cause;
  }
  return false;
}
