import { discordConfigSpec } from "@guildkit/config";
import { sql } from "kysely";
import { encodeJson, encodeTime } from "../codec";
import { addColumnIfMissing, addIdColumn, columnNames, columnTypes, tableExists } from "./ddl";
import { recordMigrationEvent } from "./event";
import { defineMigration, type MigrationContext, type MigrationDb } from "./types";

const CREATED_BY = "migration:001-foundation";

/**
 * The foundation: `members` (created, or completed on a host's/seed system's table), the unique
 * index on `discord_user_id` (after moving duplicate links into `discord_link_conflicts`),
 * `event_log`, `config_versions`, and the seed system's `discord_config` imported as `discord`
 * configuration version 1. `discord_webhooks` is left alone (migration `004-webhooks` owns it).
 */
export const foundation = defineMigration({
  name: "001-foundation",
  // discord_config: the seed system's settings, imported here and sealed by 008-secrets.
  tables: ["event_log", "config_versions", "discord_link_conflicts", "discord_config"],
  hostTables: ["members"],
  async up(db, ctx) {
    await ensureMembers(db, ctx);
    await ensureEventLog(db, ctx);
    await ensureConfigVersions(db, ctx);
    await ensureLinkConflicts(db, ctx);
    await moveDuplicateDiscordLinks(db, ctx);
    await db.schema
      .createIndex("members_discord_user_id_unique")
      .ifNotExists()
      .on("members")
      .column("discord_user_id")
      .unique()
      .where(sql.ref("discord_user_id"), "is not", null)
      .execute();
    await db.schema
      .createIndex("members_email_lower_idx")
      .ifNotExists()
      .on("members")
      .expression(sql`lower(email)`)
      .execute();
    await importLegacyDiscordConfig(db, ctx);
  },
});

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
    ["discord_last_synced", t.bigint],
    ["created_at", t.timestamp],
    ["updated_at", t.timestamp],
  ] as const;
}

async function ensureMembers(db: MigrationDb, ctx: MigrationContext): Promise<void> {
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

async function ensureEventLog(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  const t = columnTypes(ctx.dialect);
  await addIdColumn(db.schema.createTable("event_log").ifNotExists(), ctx.dialect)
    .addColumn("at", t.timestamp, (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("level", "text", (c) => c.notNull().check(sql`level in ('info', 'warn', 'error')`))
    .addColumn("member_id", "text")
    .addColumn("discord_user_id", "text")
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("data", t.json)
    .execute();
  await db.schema
    .createIndex("event_log_at_idx")
    .ifNotExists()
    .on("event_log")
    .columns(["at", "id"])
    .execute();
  await db.schema
    .createIndex("event_log_member_at_idx")
    .ifNotExists()
    .on("event_log")
    .columns(["member_id", "at"])
    .execute();
  await db.schema
    .createIndex("event_log_kind_at_idx")
    .ifNotExists()
    .on("event_log")
    .columns(["kind", "at"])
    .execute();
}

async function ensureConfigVersions(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  const t = columnTypes(ctx.dialect);
  await addIdColumn(db.schema.createTable("config_versions").ifNotExists(), ctx.dialect)
    .addColumn("module", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("values", t.json, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("created_by", "text")
    .execute();
  await db.schema
    .createIndex("config_versions_module_version_unique")
    .ifNotExists()
    .on("config_versions")
    .columns(["module", "version"])
    .unique()
    .execute();
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

/** `clientId`, `client-id`, `ClientID` and `client_id` all name `client_id`. */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const LEGACY_KEYS = new Map<string, string>(
  [...Object.keys(discordConfigSpec.fields), "role_id"].map((key) => [normalizeKey(key), key]),
);

/**
 * The Go module kept its settings in `discord_config`, either as key/value rows (`key` or `name`,
 * and `value`) or as one row of columns. Its values become `discord` configuration version 1 (the
 * legacy `role_id` becomes `role_ids`), unless a `discord` version exists already. The old table is
 * left as it is.
 */
async function importLegacyDiscordConfig(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  if (!(await tableExists(db, ctx.dialect, "discord_config"))) return;
  const existing = await db
    .selectFrom("config_versions")
    .select("version")
    .where("module", "=", "discord")
    .limit(1)
    .execute();
  if (existing.length > 0) return;

  const columns = await columnNames(db, ctx.dialect, "discord_config");
  const keyColumn = columns.find((c) => c === "key") ?? columns.find((c) => c === "name");
  const raw: Record<string, string> = {};
  if (keyColumn && columns.includes("value")) {
    const rows = await sql<{ k: string | null; v: string | null }>`select
      cast(${sql.ref(keyColumn)} as text) as k, cast(value as text) as v from discord_config`.execute(db);
    for (const row of rows.rows) if (row.k !== null && row.v !== null) raw[row.k] = row.v;
  } else {
    // One row of columns; if there are several, the last one (highest rowid/id) is the one in force.
    const order = columns.includes("id") ? sql`order by id desc` : sql``;
    const select = columns.map((c) => sql`cast(${sql.ref(c)} as text) as ${sql.ref(c)}`);
    const rows = await sql<Record<string, string | null>>`select ${sql.join(select)}
      from discord_config ${order} limit 1`.execute(db);
    for (const [k, v] of Object.entries(rows.rows[0] ?? {})) if (v !== null) raw[k] = v;
  }

  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const known = LEGACY_KEYS.get(normalizeKey(key));
    if (!known || value.trim() === "") continue;
    values[known] = value.trim();
  }
  if (typeof values.sync_interval_hours === "string" && /^\d+$/.test(values.sync_interval_hours)) {
    values.sync_interval_hours = Number(values.sync_interval_hours);
  }
  const upgraded = discordConfigSpec.upgrade(values);
  if (Object.keys(upgraded).length === 0) return;

  const at = ctx.now();
  const now = encodeTime(ctx.dialect, at);
  await db
    .insertInto("config_versions")
    .values({
      module: "discord",
      version: 1,
      values: encodeJson(upgraded),
      created_at: now,
      created_by: CREATED_BY,
    })
    .execute();
  await recordMigrationEvent(db, ctx.dialect, at, {
    kind: "config.imported",
    level: "info",
    message: "imported the legacy discord_config table as discord configuration version 1",
    data: { module: "discord", version: 1, fields: Object.keys(upgraded).sort() },
  });
}
