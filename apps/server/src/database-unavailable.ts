import { isDatabaseUnavailable } from "@guildkit/runtime";
import { Hono, type MiddlewareHandler } from "hono";

/** Seconds a client is asked to wait before retrying a request the database could not serve. */
export const RETRY_AFTER_S = 5;

/**
 * Turns a request that failed because the database is away (unreachable, restarting, connection
 * lost: `isDatabaseUnavailable`) into `503 { error: "database_unavailable" }` with `Retry-After`,
 * instead of the app's 500. It reads the error the app's `onError` handled (`c.error`), so it must
 * wrap the app: see {@link withDatabaseUnavailable}.
 */
export function databaseUnavailable(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.error || !isDatabaseUnavailable(c.error)) return;
    c.res = c.json(
      {
        error: "database_unavailable",
        message: `The database is unreachable right now; try again in ${RETRY_AFTER_S} seconds.`,
      },
      503,
      { "retry-after": String(RETRY_AFTER_S) },
    );
  };
}

/** The server as it is served: `app` behind {@link databaseUnavailable}. */
export function withDatabaseUnavailable(app: Hono): Hono {
  return new Hono().use(databaseUnavailable()).route("/", app);
}
