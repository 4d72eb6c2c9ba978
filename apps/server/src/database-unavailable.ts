import { isDatabaseUnavailable } from "@guildkit/runtime";
import type { Context } from "hono";

/** Seconds a client is asked to wait before retrying a request the database could not serve. */
export const RETRY_AFTER_S = 5;

/**
 * The answer to a request that failed because the database is away (unreachable, restarting,
 * connection lost: `isDatabaseUnavailable`): `503 { error: "database_unavailable" }` with
 * `Retry-After`, instead of a 500. `null` for any other error. Used by the app's `onError`.
 */
export function databaseUnavailableResponse(error: unknown, c: Context): Response | null {
  if (!isDatabaseUnavailable(error)) return null;
  return c.json(
    {
      error: "database_unavailable",
      message: `The database is unreachable right now; try again in ${RETRY_AFTER_S} seconds.`,
    },
    503,
    { "retry-after": String(RETRY_AFTER_S) },
  );
}
