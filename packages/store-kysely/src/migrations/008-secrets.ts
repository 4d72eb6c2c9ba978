import { isSealedSecret } from "@guildkit/core";
import { sql } from "kysely";
import { encodeTime } from "../codec";
import { visitSecretCells } from "../secrets/cells";
import { SecretKeyRequiredError } from "../secrets/errors";
import { removeTrigger } from "../webhooks/catalog";
import { tableExists } from "./ddl";
import { recordMigrationEvent } from "./event";
import { defineMigration, type MigrationContext, type MigrationDb } from "./types";

const NAME = "008-secrets";

/**
 * Secrets at rest, and no webhook on guildkit's own tables:
 *
 * 1. A webhook whose table is one of guildkit's (`ctx.ownedTables`: settings, OAuth state, the event
 *    log, the outbox…) is disabled with a recorded reason (the definition's `disabled_reason` and a
 *    `webhook.disabled` event), its trigger dropped, and the row images its events captured from
 *    that table — which may hold secrets — cleared (pending events become dead).
 * 2. Every secret stored in plaintext is sealed with `ctx.secretBox`: the secret fields of every
 *    `config_versions` row, history included, and the seed system's `discord_config` secrets
 *    (sealed in place, so a dump shows no bot token). Without a box and with plaintext present, the
 *    migration throws `SecretKeyRequiredError` and nothing changes.
 *
 * Idempotent: a second run finds nothing enabled on those tables and nothing in plaintext.
 */
export const secrets = defineMigration({
  name: NAME,
  feature: "foundation",
  tables: [],
  async up(db, ctx) {
    await disableWebhooksOnGuildkitTables(db, ctx);
    await sealPlaintextSecrets(db, ctx);
  },
});

async function disableWebhooksOnGuildkitTables(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  const { dialect } = ctx;
  // A store without webhooks has no definitions; `004-webhooks`, run later, refuses these tables itself.
  if (!(await tableExists(db, dialect, "discord_webhooks"))) return;
  const rows = await sql<{ id: unknown; trigger_table: string | null; enabled: unknown }>`
    select id, trigger_table, enabled from discord_webhooks order by id`.execute(db);
  for (const row of rows.rows) {
    const table = String(row.trigger_table ?? "");
    if (!ctx.ownedTables.has(table.toLowerCase())) continue;
    const id = String(row.id);
    const enabled = row.enabled === true || Number(row.enabled) === 1;
    const reason = `table ${table} belongs to guildkit (its rows hold settings, secrets or bookkeeping): no webhook may watch it`;
    const at = ctx.now();
    await removeTrigger(db, dialect, id, table);
    if (enabled) {
      await sql`update discord_webhooks set enabled = ${dialect === "postgres" ? false : 0},
        disabled_reason = ${reason}, updated_at = ${encodeTime(dialect, at)} where id = ${row.id}`.execute(
        db,
      );
    }
    // What its trigger captured may be a settings row: clear the images, and send nothing more.
    const scrubbed = await sql`update webhook_outbox set old_row = null, new_row = null,
        dead_reason = case when state = 'pending' then ${reason} else dead_reason end,
        state = case when state = 'pending' then 'dead' else state end,
        lease_owner = null, lease_expires_at = null
      where webhook_id = ${row.id} and (old_row is not null or new_row is not null)`.execute(db);
    const events = Number(scrubbed.numAffectedRows ?? 0);
    if (!enabled && events === 0) continue;
    await recordMigrationEvent(db, dialect, at, {
      kind: "webhook.disabled",
      level: "warn",
      message:
        `webhook ${id} watched ${table}, one of guildkit's own tables, ` +
        `${enabled ? "and was disabled" : "while disabled"}; the row images of its ${events} event(s) were cleared`,
      data: { webhookId: id, table, disabledReason: reason, eventsCleared: events, migration: NAME },
    });
  }
}

async function sealPlaintextSecrets(db: MigrationDb, ctx: MigrationContext): Promise<void> {
  const box = ctx.secretBox;
  const missing: string[] = [];
  const sealed: string[] = [];
  await visitSecretCells(db, ctx.dialect, async (cell) => {
    if (isSealedSecret(cell.value)) return null;
    if (box === null) {
      missing.push(cell.location);
      return null;
    }
    sealed.push(cell.location);
    return box.seal(cell.value, { context: cell.context });
  });
  if (missing.length > 0) throw new SecretKeyRequiredError({ migration: NAME, locations: missing });
  if (sealed.length === 0) return;
  await recordMigrationEvent(db, ctx.dialect, ctx.now(), {
    kind: "secrets.sealed",
    level: "info",
    message: `sealed ${sealed.length} secret value(s) stored in plaintext with key ${box?.currentKeyId}`,
    data: { count: sealed.length, locations: sealed, keyId: box?.currentKeyId ?? null },
  });
}
