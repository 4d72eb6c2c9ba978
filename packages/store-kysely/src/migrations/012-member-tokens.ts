import type { ColumnDataType } from "kysely";
import { memberIdType } from "../role-sync/dialect";
import { columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * `012-member-tokens`: `member_oauth_tokens`, the OAuth grant kept per member when login or linking
 * asks for extra scopes (`role_connections.write`, `guilds.join`): both tokens sealed with the store's
 * secret box, the scopes, the access token's expiry, when a refused refresh asked for re-consent, and a
 * version for compare-and-set refreshes. `member_id` takes the type of the members table's id but has
 * no foreign key: a deleted member's grant stays until the worker has revoked it at Discord. Index on
 * `expires_at` (the refresh pass). Idempotent.
 */
export const memberTokens = defineMigration({
  name: "012-member-tokens",
  feature: "login",
  tables: ["member_oauth_tokens"],
  async up(db, { dialect, members }) {
    const t = columnTypes(dialect);
    const idType = (await memberIdType(db, dialect, members)) as ColumnDataType;
    await db.schema
      .createTable("member_oauth_tokens")
      .ifNotExists()
      .addColumn("member_id", idType, (c) => c.primaryKey())
      .addColumn("discord_user_id", "text", (c) => c.notNull())
      .addColumn("access_token", "text", (c) => c.notNull())
      .addColumn("refresh_token", "text")
      .addColumn("scopes", "text", (c) => c.notNull())
      .addColumn("expires_at", t.timestamp, (c) => c.notNull())
      .addColumn("consent_needed_at", t.timestamp)
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("member_oauth_tokens_expires_at_idx")
      .ifNotExists()
      .on("member_oauth_tokens")
      .column("expires_at")
      .execute();
  },
});
