import type { NonceStore } from "@guildkit/oauth-state";
import type { Kysely } from "kysely";
import { encodeTime } from "../codec";
import type { Dialect } from "../dialect";
import type { Database } from "../schema";

/**
 * `NonceStore` of `@guildkit/oauth-state` on `oauth_states`: a nonce is spent by inserting it; a second
 * insert of the same nonce does nothing (`ON CONFLICT DO NOTHING`, the same SQL on both dialects), so
 * exactly one of any number of concurrent redemptions wins.
 */
export function createOAuthNonceStore(db: Kysely<Database>, dialect: Dialect): NonceStore {
  return {
    async consume({ nonce, expiresAt, now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db
        .insertInto("oauth_states")
        .values({ nonce, expires_at: encodeTime(dialect, expiresAt), consumed_at: encodeTime(dialect, now) })
        .onConflict((oc) => oc.column("nonce").doNothing())
        .returning("nonce")
        .executeTakeFirst();
      return row !== undefined;
    },
    async purgeExpired({ now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const result = await db
        .deleteFrom("oauth_states")
        .where("expires_at", "<=", encodeTime(dialect, now))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
