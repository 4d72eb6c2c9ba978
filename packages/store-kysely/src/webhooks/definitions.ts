import {
  type IoOptions,
  parseWebhookDefinition,
  renderedTemplates,
  toRowId,
  type WebhookDefinition,
  WebhookDefinitionError,
} from "@guildkit/webhook-templates";
import { type Kysely, sql } from "kysely";
import { decodeId } from "../codec";
import type { Database } from "../schema";
import { findTable, inSavepoint, isDdlRefusal, listTables, removeTrigger, tableColumns } from "./catalog";
import type { WebhookStoreContext } from "./context";
import { decodeWebhook, definitionValues, type StoredWebhook } from "./rows";
import { syncTableTrigger } from "./table-triggers";

/** Options of the definition writes. */
export interface DefinitionWriteOptions extends IoOptions {
  /** An API base other than Discord's whose webhook URLs are accepted (a simulator). */
  webhookBaseUrl?: string | null;
}

/** One definition read in `trx`, or `null` (also for an id outside 1..2^63-1, which no row can have). */
export async function getWebhook(trx: Kysely<Database>, id: string): Promise<StoredWebhook | null> {
  // No row can have an id outside 1..2^63-1: absence, not a database "out of range" error. The
  // cast keeps an upgraded seed table's `integer` key comparable with any id in that range.
  const key = toRowId(id);
  if (key === null) return null;
  const row = await trx
    .selectFrom("discord_webhooks")
    .selectAll()
    .where("id", "=", sql<string>`cast(${key} as bigint)`)
    .executeTakeFirst();
  return row ? decodeWebhook(row as Record<string, unknown>) : null;
}

/**
 * The definitions: writes that install, replace or drop their trigger in the same transaction as
 * the row (inside a savepoint, so a refusal changes nothing even within a caller's transaction).
 */
export function createWebhookDefinitions(ctx: WebhookStoreContext) {
  const { db, dialect, guard, t, tx } = ctx;

  const columnsFor = async (trx: Kysely<Database>, table: unknown) => {
    if (typeof table !== "string")
      return { name: undefined, columns: null, tables: await listTables(trx, dialect) };
    const name = await findTable(trx, dialect, table);
    return {
      name: name ?? undefined,
      columns: name === null ? null : await tableColumns(trx, dialect, name),
      tables: name === null ? await listTables(trx, dialect) : [],
    };
  };

  const validate = async (
    trx: Kysely<Database>,
    input: unknown,
    opts: DefinitionWriteOptions,
  ): Promise<WebhookDefinition> => {
    const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
    const found = await columnsFor(trx, raw.table);
    return parseWebhookDefinition(input, {
      columns: found.columns,
      tables: guard.watchable(found.tables),
      tableName: found.name,
      webhookBaseUrl: opts.webhookBaseUrl ?? null,
      reservedTables: guard.reserved,
    }).definition;
  };

  /**
   * Regenerates the trigger of a definition's table and operation with it (when enabled) or without
   * it. A database that refuses the DDL — a WHEN condition the core's checks let through but
   * Postgres cannot compile — becomes a `WebhookDefinitionError` issue at `["when"]` with the
   * database's message.
   */
  const syncDefinitionTrigger = async (trx: Kysely<Database>, id: string, d: WebhookDefinition) => {
    const template = renderedTemplates(d.template, d.embed);
    const member = { id, template, when: d.when, mentionUserColumns: d.mentionUserColumns };
    try {
      await syncTableTrigger(trx, dialect, d.table, d.operation, {
        reservedTables: guard.reserved,
        ...(d.enabled ? { include: member } : { exclude: id }),
      });
    } catch (err) {
      if (!isDdlRefusal(err)) throw err;
      throw new WebhookDefinitionError([
        {
          path: ["when"],
          code: "when_refused",
          message: `the database refused the trigger for this WHEN condition: ${(err as Error).message}`,
        },
      ]);
    }
  };

  /** Regenerates the triggers a definition was served by before a change, without it. */
  const leaveTrigger = (trx: Kysely<Database>, current: StoredWebhook) =>
    removeTrigger(trx, dialect, current.id, current.table);

  return {
    /** Every definition, by id. */
    async list(io: IoOptions = {}): Promise<StoredWebhook[]> {
      io.signal?.throwIfAborted();
      const rows = await db.selectFrom("discord_webhooks").selectAll().orderBy("id").execute();
      return rows.map((r) => decodeWebhook(r as Record<string, unknown>));
    },

    /** One definition, or `null` (also for an id outside 1..2^63-1, which no row can have). */
    async get(id: string, io: IoOptions = {}): Promise<StoredWebhook | null> {
      io.signal?.throwIfAborted();
      return getWebhook(db, id);
    },

    /**
     * Validates and stores a new definition and installs its trigger, in one transaction (inside a
     * savepoint, so a refusal changes nothing even within a caller's transaction). Throws
     * `WebhookDefinitionError` (every issue) when invalid, or when the database refuses the
     * trigger (issue at `["when"]` with the database's message).
     */
    async create(input: unknown, opts: DefinitionWriteOptions = {}): Promise<StoredWebhook> {
      opts.signal?.throwIfAborted();
      return tx(async (trx) => {
        const d = await validate(trx, input, opts);
        return inSavepoint(trx, "guildkit_webhook_write", async () => {
          const stamp = t(ctx.clock.now());
          const inserted = await trx
            .insertInto("discord_webhooks")
            .values({
              ...definitionValues(d, ctx.sql),
              disabled_reason: null,
              created_at: stamp,
              updated_at: stamp,
            })
            .returning("id")
            .executeTakeFirstOrThrow();
          const id = decodeId(inserted.id);
          if (d.enabled) await syncDefinitionTrigger(trx, id, d);
          return (await getWebhook(trx, id)) as StoredWebhook;
        });
      });
    },

    /**
     * Replaces a definition and its trigger (dropped, then installed again when enabled), in one
     * transaction (inside a savepoint, like {@link create}). Enabling clears the disabled reason.
     * `null` when there is no such webhook. Throws `WebhookDefinitionError` like `create`; the stored
     * definition and trigger are then left as they were.
     */
    async update(
      id: string,
      input: unknown,
      opts: DefinitionWriteOptions = {},
    ): Promise<StoredWebhook | null> {
      opts.signal?.throwIfAborted();
      return tx(async (trx) => {
        const current = await getWebhook(trx, id);
        if (!current) return null;
        const d = await validate(trx, input, opts);
        return inSavepoint(trx, "guildkit_webhook_write", async () => {
          await leaveTrigger(trx, current);
          await trx
            .updateTable("discord_webhooks")
            .set({
              ...definitionValues(d, ctx.sql),
              disabled_reason: d.enabled ? null : current.disabledReason,
              updated_at: t(ctx.clock.now()),
            })
            .where("id", "=", id)
            .execute();
          await syncDefinitionTrigger(trx, id, d);
          return getWebhook(trx, id);
        });
      });
    },

    /** Deletes a definition, its trigger and its pending events, in one transaction. */
    async remove(id: string, io: IoOptions = {}): Promise<boolean> {
      io.signal?.throwIfAborted();
      return tx(async (trx) => {
        const current = await getWebhook(trx, id);
        if (!current) return false;
        await leaveTrigger(trx, current);
        await ctx.fanOut(trx);
        await trx
          .deleteFrom("webhook_outbox")
          .where("webhook_id", "=", id)
          .where("state", "=", "pending")
          .execute();
        await trx.deleteFrom("discord_webhooks").where("id", "=", id).execute();
        return true;
      });
    },
  };
}
