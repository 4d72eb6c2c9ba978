import { columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * The PluralKit speedbump: channel state, known proxy users, pending holds (so they survive a
 * restart), unresolved identities, and the PluralKit member cache with per-guild senders.
 * Idempotent: every table and index is created only when missing. The seed bridge kept this state
 * in its own database (and its holds in memory), so there is nothing to import here.
 */
export const speedbump = defineMigration({
  name: "005-speedbump",
  feature: "speedbump",
  tables: [
    "speedbump_channels",
    "speedbump_proxy_users",
    "speedbump_holds",
    "speedbump_unresolved",
    "pk_members",
    "pk_member_senders",
  ],
  async up(db, { dialect }) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable("speedbump_channels")
      .ifNotExists()
      .addColumn("channel_id", "text", (c) => c.primaryKey())
      .addColumn("proxy_application_id", "text")
      .addColumn("webhook_id", "text")
      .addColumn("checked_at", t.timestamp)
      .execute();
    await db.schema
      .createTable("speedbump_proxy_users")
      .ifNotExists()
      .addColumn("user_id", "text", (c) => c.primaryKey())
      .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("speedbump_holds")
      .ifNotExists()
      .addColumn("message_id", "text", (c) => c.primaryKey())
      .addColumn("channel_id", "text", (c) => c.notNull())
      .addColumn("held_at", t.timestamp, (c) => c.notNull())
      .addColumn("due_at", t.timestamp, (c) => c.notNull())
      .addColumn("message", t.json, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("speedbump_holds_due_idx")
      .ifNotExists()
      .on("speedbump_holds")
      .columns(["due_at", "message_id"])
      .execute();
    await db.schema
      .createTable("speedbump_unresolved")
      .ifNotExists()
      .addColumn("message_id", "text", (c) => c.primaryKey())
      .addColumn("channel_id", "text", (c) => c.notNull())
      .addColumn("guild_id", "text")
      .addColumn("webhook_id", "text", (c) => c.notNull())
      .addColumn("webhook_username", "text", (c) => c.notNull())
      .addColumn("webhook_avatar_url", "text")
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_attempt_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("speedbump_unresolved_next_idx")
      .ifNotExists()
      .on("speedbump_unresolved")
      .columns(["next_attempt_at", "message_id"])
      .execute();
    await db.schema
      .createTable("pk_members")
      .ifNotExists()
      .addColumn("member_key", "text", (c) => c.primaryKey())
      .addColumn("member_id", "text", (c) => c.notNull())
      .addColumn("member_uuid", "text", (c) => c.notNull())
      .addColumn("system_id", "text")
      .addColumn("system_uuid", "text")
      .addColumn("handle", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("avatar_url", "text")
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("pk_member_senders")
      .ifNotExists()
      .addColumn("guild_id", "text", (c) => c.notNull())
      .addColumn("member_key", "text", (c) =>
        c.notNull().references("pk_members.member_key").onDelete("cascade"),
      )
      .addColumn("sender_user_id", "text", (c) => c.notNull())
      .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint("pk_member_senders_pkey", ["guild_id", "member_key", "sender_user_id"])
      .execute();
    await db.schema
      .createIndex("pk_member_senders_sender_idx")
      .ifNotExists()
      .on("pk_member_senders")
      .columns(["guild_id", "sender_user_id"])
      .execute();
    await db.schema
      .createIndex("pk_member_senders_seen_idx")
      .ifNotExists()
      .on("pk_member_senders")
      .columns(["last_seen_at"])
      .execute();
  },
});
