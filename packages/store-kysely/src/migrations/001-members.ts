import { GuildkitError } from "@guildkit/core";
import { sql } from "kysely";
import { encodeTime } from "../codec";
import { membersColumns } from "../members-table/shape";
import { addColumnIfMissing, addIdColumn, columnNames, columnTypes, tableExists } from "./ddl";
import { recordMigrationEvent } from "./event";
import { defineMigration, type MigrationContext, type MigrationDb } from "./types";

/**
 * The member table role sync and login work on. On the default shape: `members` (created, or
 * completed on a seed system's table), the unique index on `discord_user_id` (after moving duplicate
 * links into `discord_link_conflicts`) and `lower(email)` indexed. On a host's table (the store's
 * `members` option): nothing is created or altered but the unique index on its Discord id column;
 * a missing table or column stops the migration with {@link MembersTableMismatchError}.
 * (Until this migration existed, `001-foundation` did this; on such a database it changes nothing.)
 */
export const members = defineMigration({
  name: "001-members",
  feature: "members",
  tables: ["discord_link_conflicts"],
  hostTables: ["members"],
  async up(db, ctx) {
    const shape = ctx.members;
    if (shape.reference) await ensureReferenceMembers(db, ctx);
    else await checkHostMembers(db, ctx);
    await ensureLinkConflicts(db, ctx);
    if (shape.reference) await moveDuplicateDiscordLinks(db, ctx);
    await db.schema
      .createIndex(`${shape.table}_${shape.discordUserId}_unique`)
      .ifNotExists()
      .on(shape.table)
      .column(shape.discordUserId)
      .unique()
      .where(sql.ref(shape.discordUserId), "is not", null)
      .execute();
    if (!shape.reference) return;
    await db.schema
      .createIndex("members_email_lower_idx")
      .ifNotExists()
      .on("members")
      .expression(sql`lower(email)`)
      .execute();
  },
});

/** The host's member table lacks what the store's `members` option names. */
export class MembersTableMismatchError extends GuildkitError {
  override readonly name = "MembersTableMismatchError";
  readonly table: string;
  /** The columns named in the option that the table lacks (all of them when it does not exist). */
  readonly missingColumns: readonly string[];

  constructor(table: string, missingColumns: readonly string[], exists: boolean) {
    super(
      exists
        ? `the members table "${table}" has no column(s) ${missingColumns.join(", ")}: add them ` +
            "(the Discord ones as nullable text) or name the right ones in the store's `members` option"
        : `the members table "${table}" does not exist: create it (or fix the store's \`members\` option) before migrating`,
      { retryable: false, code: "members_table_mismatch" },
    );
    this.table = table;
    this.missingColumns = missingColumns;
  }
}

async function checkHostMembers(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  const shape = ctx.members;
  const existing = await columnNames(db, ctx.dialect, shape.table);
  const missing = membersColumns(shape).filter((column) => !existing.includes(column));
  if (missing.length > 0) throw new MembersTableMismatchError(shape.table, missing, existing.length > 0);
}

/** The columns guildkit needs on `members`, beyond `id`. */
function memberColumns(ctx: MigrationContext) {
  const t = columnTypes(ctx.dialect);
  return [
    ["name", "text"],
    ["email", "text"],
    ["payment_status", "text"],
    ["discord_user_id", "text"],
    ["discord_email", "text"],
    ["discord_username", "text"],
    ["discord_avatar", t.bytes],
    ["discord_avatar_hash", "text"],
    ["discord_last_synced", t.bigint],
    ["created_at", t.timestamp],
    ["updated_at", t.timestamp],
  ] as const;
}

async function ensureReferenceMembers(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  if (await tableExists(db, ctx.dialect, "members")) {
    for (const [column, type] of memberColumns(ctx)) {
      await addColumnIfMissing(db, ctx.dialect, "members", column, type);
    }
  } else {
    let table = addIdColumn(db.schema.createTable("members").ifNotExists(), ctx.dialect);
    for (const [column, type] of memberColumns(ctx)) table = table.addColumn(column, type);
    await table.execute();
  }
  // The seed system stored "" for "not linked" in places; only NULL means that now.
  await sql`update members set discord_user_id = null
    where discord_user_id is not null and trim(discord_user_id) = ''`.execute(db);
}

async function ensureLinkConflicts(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  const t = columnTypes(ctx.dialect);
  await addIdColumn(db.schema.createTable("discord_link_conflicts").ifNotExists(), ctx.dialect)
    .addColumn("member_id", "text", (c) => c.notNull())
    .addColumn("discord_user_id", "text", (c) => c.notNull())
    .addColumn("detected_at", t.timestamp, (c) => c.notNull())
    .addColumn("resolved_at", t.timestamp)
    .execute();
  await db.schema
    .createIndex("discord_link_conflicts_discord_user_id_idx")
    .ifNotExists()
    .on("discord_link_conflicts")
    .column("discord_user_id")
    .execute();
}

interface LinkRow {
  id: string | number;
  payment_status: string | null;
}

/**
 * The seed system let several members hold one Discord account. Before the unique index: keep the
 * link on one member (the entitled one — non-empty `payment_status` — then the lowest id), record the
 * others in `discord_link_conflicts`, clear their link, and log a `member.discord_link_conflict`.
 * No member row and no other column is touched.
 */
async function moveDuplicateDiscordLinks(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  const duplicates = await sql<{ discord_user_id: string }>`select discord_user_id from members
    where discord_user_id is not null group by discord_user_id having count(*) > 1
    order by discord_user_id`.execute(db);
  for (const { discord_user_id: discordUserId } of duplicates.rows) {
    const rows = (
      await sql<LinkRow>`select id, payment_status from members where discord_user_id = ${discordUserId}`.execute(
        db,
      )
    ).rows.sort(compareForKeeping);
    const [keeper, ...others] = rows;
    if (!keeper) continue;
    const at = ctx.now();
    const now = encodeTime(ctx.dialect, at);
    for (const other of others) {
      const memberId = String(other.id);
      await db
        .insertInto("discord_link_conflicts")
        .values({ member_id: memberId, discord_user_id: discordUserId, detected_at: now })
        .execute();
      await sql`update members set discord_user_id = null where id = ${other.id}`.execute(db);
      await recordMigrationEvent(db, ctx.dialect, at, {
        kind: "member.discord_link_conflict",
        level: "warn",
        memberId,
        discordUserId,
        message:
          `Discord account ${discordUserId} was linked to several members; kept it on member ${String(keeper.id)} ` +
          `and moved member ${memberId}'s link to discord_link_conflicts for an admin to resolve`,
        data: { keptMemberId: String(keeper.id), reason: isEntitled(keeper) ? "entitled" : "lowest_id" },
      });
    }
  }
}

function isEntitled(row: LinkRow): boolean {
  return typeof row.payment_status === "string" && row.payment_status.trim() !== "";
}

function compareForKeeping(a: LinkRow, b: LinkRow): number {
  const entitled = Number(isEntitled(b)) - Number(isEntitled(a));
  if (entitled !== 0) return entitled;
  const x = String(a.id);
  const y = String(b.id);
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
    const d = BigInt(x) - BigInt(y);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}
