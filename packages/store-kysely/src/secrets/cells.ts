import { type ConfigSpec, discordConfigSpec, secretContext, secretFieldKeys } from "@guildkit/config";
import { isSealedSecret } from "@guildkit/core";
import { sql } from "kysely";
import { decodeJsonObject, encodeJson } from "../codec";
import type { Dialect } from "../dialect";
import { columnNames, tableExists } from "../migrations/ddl";
import type { MigrationDb } from "../migrations/types";
import { memberTokenContext } from "../tokens";

/**
 * Every place guildkit keeps a secret, walked the same way by migration `008-secrets` (seal the
 * plaintext) and by `secrets.rotate()` (re-seal what an old key sealed): the secret fields of every
 * `config_versions` row (history included), the secret-looking values of the seed system's
 * `discord_config`, and the sealed member OAuth tokens (`member_oauth_tokens`). A feature that stores
 * sealed values adds its walk here.
 */

/** One stored secret, plaintext or sealed. */
export interface SecretCell {
  /** Where it is, for messages: `config_versions discord v2 bot_token` (never the value). */
  location: string;
  /** The context it is sealed for (`config:<module>:<key>`, `legacy:discord_config:<key>`). */
  context: string;
  value: string;
}

/** Decides a cell's new value: the replacement, or `null` to leave it. */
export type CellVisitor = (cell: SecretCell) => Promise<string | null>;

/**
 * The config specs whose secret fields may be stored in plaintext by older versions: `discord`'s
 * (`role_sync` has never had a secret field, so `@guildkit/role-reconciler` stays an optional peer).
 * A module's value that is sealed is visited whatever its spec (see `visitConfigVersions`).
 */
const CONFIG_SPECS: readonly ConfigSpec[] = [discordConfigSpec];

/** `clientId`, `client-id` and `client_id` all read `clientid`. */
const normalize = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Visits every secret cell; returns how many it changed. */
export async function visitSecretCells(
  db: MigrationDb,
  dialect: Dialect,
  visit: CellVisitor,
): Promise<number> {
  return (
    (await visitConfigVersions(db, dialect, visit)) +
    (await visitLegacyDiscordConfig(db, dialect, visit)) +
    (await visitMemberTokens(db, dialect, visit))
  );
}

/** `member_oauth_tokens` (migration `012-member-tokens`): both sealed tokens of every kept grant. */
async function visitMemberTokens(db: MigrationDb, dialect: Dialect, visit: CellVisitor): Promise<number> {
  if (!(await tableExists(db, dialect, "member_oauth_tokens"))) return 0;
  const rows = await db
    .selectFrom("member_oauth_tokens")
    .select(["member_id", "access_token", "refresh_token"])
    .orderBy("member_id")
    .execute();
  let changed = 0;
  for (const row of rows) {
    const memberId = String(row.member_id);
    const next: { access_token?: string; refresh_token?: string } = {};
    for (const column of ["access_token", "refresh_token"] as const) {
      const value = row[column];
      if (typeof value !== "string") continue;
      const location = `member_oauth_tokens member ${memberId} ${column}`;
      const replaced = await visit({ location, context: memberTokenContext(memberId, column), value });
      if (replaced !== null && replaced !== value) next[column] = replaced;
    }
    if (Object.keys(next).length === 0) continue;
    await db.updateTable("member_oauth_tokens").set(next).where("member_id", "=", row.member_id).execute();
    changed += 1;
  }
  return changed;
}

/**
 * `config_versions`: per row, the secret fields of its module's spec (plaintext or sealed) and any
 * other top-level value that is sealed (a module this version does not know).
 */
async function visitConfigVersions(db: MigrationDb, dialect: Dialect, visit: CellVisitor): Promise<number> {
  const secretsOf = new Map(CONFIG_SPECS.map((spec) => [spec.module, new Set(secretFieldKeys(spec))]));
  const rows = await db
    .selectFrom("config_versions")
    .select(["id", "module", "version", "values"])
    .orderBy("id")
    .execute();
  let changed = 0;
  for (const row of rows) {
    const module = String(row.module);
    const values = decodeJsonObject(dialect, row.values);
    const secrets = secretsOf.get(module) ?? new Set<string>();
    let dirty = false;
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (typeof value !== "string" || (!secrets.has(key) && !isSealedSecret(value))) continue;
      const location = `config_versions ${module} v${String(row.version)} ${key}`;
      const next = await visit({ location, context: secretContext(module, key), value });
      if (next !== null && next !== value) {
        values[key] = next;
        dirty = true;
      }
    }
    if (!dirty) continue;
    await db
      .updateTable("config_versions")
      .set({ values: encodeJson(values) })
      .where("id", "=", row.id)
      .execute();
    changed += 1;
  }
  return changed;
}

/** A seed-system key or column that holds a secret: the spec's secret fields, or `…secret`/`…token`/`…password`. */
function isSecretName(name: string): boolean {
  const n = normalize(name);
  return (
    secretFieldKeys(discordConfigSpec).some((k) => normalize(k) === n) || /(secret|token|password)$/.test(n)
  );
}

/**
 * The seed system's `discord_config`: key/value rows (`key` or `name`, and `value`) whose key is a
 * secret, or, in the one-row-of-columns shape, every secret column. Values are written back where
 * they were (matched by value), so the table keeps its shape; on Postgres a column too narrow for a
 * sealed value becomes `text`.
 */
async function visitLegacyDiscordConfig(
  db: MigrationDb,
  dialect: Dialect,
  visit: CellVisitor,
): Promise<number> {
  if (!(await tableExists(db, dialect, "discord_config"))) return 0;
  const columns = await columnNames(db, dialect, "discord_config");
  const keyColumn = columns.find((c) => c === "key") ?? columns.find((c) => c === "name");
  const cells: { column: string; key: string | null; value: string }[] = [];
  if (keyColumn && columns.includes("value")) {
    const rows = await sql<{
      k: string | null;
      v: string | null;
    }>`select cast(${sql.ref(keyColumn)} as text) as k,
      cast(value as text) as v from discord_config`.execute(db);
    for (const r of rows.rows) {
      if (r.k !== null && r.v !== null && r.v !== "" && isSecretName(r.k))
        cells.push({ column: "value", key: r.k, value: r.v });
    }
  } else {
    for (const column of columns.filter(isSecretName)) {
      const rows = await sql<{ v: string | null }>`select distinct cast(${sql.ref(column)} as text) as v
        from discord_config`.execute(db);
      for (const r of rows.rows)
        if (r.v !== null && r.v !== "") cells.push({ column, key: null, value: r.v });
    }
  }
  let changed = 0;
  for (const cell of cells) {
    const name = cell.key ?? cell.column;
    const next = await visit({
      location: `discord_config ${name}`,
      context: `legacy:discord_config:${name}`,
      value: cell.value,
    });
    if (next === null || next === cell.value) continue;
    if (dialect === "postgres") await widenToText(db, cell.column);
    const match =
      cell.key === null
        ? sql`cast(${sql.ref(cell.column)} as text) = ${cell.value}`
        : sql`cast(${sql.ref(keyColumn as string)} as text) = ${cell.key} and cast(value as text) = ${cell.value}`;
    await sql`update discord_config set ${sql.ref(cell.column)} = ${next} where ${match}`.execute(db);
    changed += 1;
  }
  return changed;
}

/** Postgres: makes a `discord_config` column unbounded `text`, so a sealed value fits. */
async function widenToText(db: MigrationDb, column: string): Promise<void> {
  const { rows } = await sql<{ type: string; max: number | null }>`select data_type as type,
    character_maximum_length as max from information_schema.columns
    where table_schema = current_schema() and table_name = 'discord_config' and column_name = ${column}`.execute(
    db,
  );
  const info = rows[0];
  if (!info || (info.type === "text" && info.max === null)) return;
  await sql`alter table discord_config alter column ${sql.ref(column)} type text using ${sql.ref(column)}::text`.execute(
    db,
  );
}
