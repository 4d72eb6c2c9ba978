import { discordConfigSpec } from "@guildkit/config";
import { sql } from "kysely";
import { encodeJson, encodeTime } from "../codec";
import { addIdColumn, columnNames, columnTypes, tableExists } from "./ddl";
import { recordMigrationEvent } from "./event";
import { defineMigration, type MigrationContext, type MigrationDb } from "./types";

const CREATED_BY = "migration:001-foundation";

/**
 * The foundation every store has: `event_log`, `config_versions`, and the seed system's
 * `discord_config` imported as `discord` configuration version 1. The member table is
 * `001-members`'s (role sync and login need it); `discord_webhooks` is `004-webhooks`'s.
 */
export const foundation = defineMigration({
  name: "001-foundation",
  feature: "foundation",
  // discord_config: the seed system's settings, imported here and sealed by 008-secrets.
  tables: ["event_log", "config_versions", "discord_config"],
  async up(db, ctx) {
    await ensureEventLog(db, ctx);
    await ensureConfigVersions(db, ctx);
    await importLegacyDiscordConfig(db, ctx);
  },
});

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
