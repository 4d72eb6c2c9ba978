import { type ColumnDataType, sql } from "kysely";
import { encodeTime } from "../codec";
import { installTriggers, memberIdType } from "../role-sync/dialect";
import { addColumnIfMissing, columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * Role sync: `role_sync_state` (one row per member: due time, attempts, state, lease, version),
 * `role_grants` (the ledger of which Discord account holds which role on account of which member),
 * `members.discord_avatar_hash`, the triggers (on the store's members table) that mark a member due on every change that can
 * alter its roles, and a row due now for every member linked before this migration.
 */
export const roleSync = defineMigration({
  name: "002-role-sync",
  feature: "role-sync",
  tables: ["role_sync_state", "role_grants"],
  async up(db, { dialect, now, members }) {
    const t = columnTypes(dialect);
    const idType = (await memberIdType(db, dialect, members)) as ColumnDataType;
    await db.schema
      .createTable("role_sync_state")
      .ifNotExists()
      .addColumn("member_id", idType, (c) => c.primaryKey())
      .addColumn("next_due_at", t.timestamp)
      .addColumn("dirty", t.boolean, (c) => c.notNull().defaultTo(dialect === "postgres" ? sql`false` : 0))
      .addColumn("version", t.bigint, (c) => c.notNull().defaultTo(0))
      .addColumn("marked_at", t.timestamp)
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("state", "text")
      .addColumn("last_error", "text")
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", t.timestamp)
      .addColumn("checked_at", t.timestamp)
      .execute();
    await db.schema
      .createIndex("role_sync_state_due_idx")
      .ifNotExists()
      .on("role_sync_state")
      .columns(["next_due_at", "member_id"])
      .where(sql.ref("next_due_at"), "is not", null)
      .execute();
    await db.schema
      .createIndex("role_sync_state_state_idx")
      .ifNotExists()
      .on("role_sync_state")
      .column("state")
      .execute();
    await db.schema
      .createTable("role_grants")
      .ifNotExists()
      .addColumn("member_id", "text", (c) => c.notNull())
      .addColumn("discord_user_id", "text", (c) => c.notNull())
      .addColumn("role_id", "text", (c) => c.notNull())
      .addColumn("granted_at", t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint("role_grants_pk", ["member_id", "discord_user_id", "role_id"])
      .execute();
    await db.schema
      .createIndex("role_grants_discord_user_id_idx")
      .ifNotExists()
      .on("role_grants")
      .column("discord_user_id")
      .execute();
    // 001-members adds it on the seed system's table; a host's table has it already (checked there).
    if (members.reference) await addColumnIfMissing(db, dialect, "members", "discord_avatar_hash", "text");
    await installTriggers(db, dialect, members, []);
    // Members linked before role sync existed are checked by the first pass.
    const id = sql.ref(members.id);
    await sql`insert into role_sync_state (member_id, next_due_at, dirty, version, attempts)
      select m.${id}, ${encodeTime(dialect, now())}, ${dialect === "postgres" ? sql`false` : sql`0`}, 0, 0
      from ${sql.table(members.table)} m where m.${sql.ref(members.discordUserId)} is not null
        and not exists (select 1 from role_sync_state s where s.member_id = m.${id})`.execute(db);
  },
});
