import { columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * `003-oauth`: the `oauth_states` table of spent OAuth state nonces (single-use `jti`s), with an index
 * on `expires_at` for the purge. The member side of the OAuth flows uses the `members` columns of
 * `001-foundation` (`discord_user_id` unique when set, `lower(email)` indexed). Idempotent.
 */
export const oauth = defineMigration({
  name: "003-oauth",
  feature: "login",
  tables: ["oauth_states"],
  async up(db, { dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable("oauth_states")
      .ifNotExists()
      .addColumn("nonce", "text", (c) => c.primaryKey())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("consumed_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("oauth_states_expires_at_idx")
      .ifNotExists()
      .on("oauth_states")
      .column("expires_at")
      .execute();
  },
});
