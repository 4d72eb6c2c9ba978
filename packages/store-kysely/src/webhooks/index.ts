import {
  type ClaimedEvent,
  type Completion,
  type DefinitionIssue,
  type IoOptions,
  OPERATIONS,
  type Operation,
  parseRowJson,
  parseWebhookDefinition,
  type RowData,
  sqliteRowJson,
  type TableColumn,
  toRowId,
  type WebhookDefinition,
  WebhookDefinitionError,
  type WebhookOutbox,
  webhookIdOfTrigger,
} from "@guildkit/webhook-templates";
import { type Kysely, sql } from "kysely";
import { decodeId, decodeInteger, decodeTime, encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import type { Database } from "../schema";
import {
  dropTriggerNamed,
  findTable,
  inSavepoint,
  installTrigger,
  isDdlRefusal,
  listTables,
  listTriggers,
  primaryKeyColumns,
  removeTrigger,
  type TriggerTarget,
  tableColumns,
} from "./catalog";
import { createTableGuard } from "./table-guard";

export * from "./catalog";
export { createTableGuard, type TableGuard } from "./table-guard";

/** A webhook definition as stored, with its id and status. The URL holds a secret token. */
export interface StoredWebhook extends WebhookDefinition {
  id: string;
  /** Why it was disabled (by Discord's answer, an upgrade or a repair), or `null`. */
  disabledReason: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** A dead-lettered event, for the admin. */
export interface DeadEvent {
  id: string;
  webhookId: string;
  operation: Operation;
  createdAt: Date | null;
  attempts: number;
  reason: string | null;
  lastError: string | null;
  possibleDuplicate: boolean;
}

/** What {@link WebhookStore.repairTriggers} did. */
export interface TriggerRepairReport {
  installed: string[];
  dropped: string[];
  disabled: { id: string; reason: string }[];
}

/** Options of the definition writes. */
export interface DefinitionWriteOptions extends IoOptions {
  /** An API base other than Discord's whose webhook URLs are accepted (a simulator). */
  webhookBaseUrl?: string | null;
}

/** How often the polling `waitForEvents` looks for due events (SQLite, and Postgres before LISTEN). */
export const DEFAULT_POLL_INTERVAL_MS = 50;

/**
 * The webhook store: definitions whose writes install, replace or drop their trigger in the same
 * transaction as the row; the outbox port of `@guildkit/webhook-templates` (`claim`, `complete`,
 * `release`, `disableWebhook`, `waitForEvents`); dead letters and redelivery; the catalog reads the
 * admin needs; and the start-up trigger repair. No table guildkit owns (`reservedTables`, by default
 * what the migrations declare) can be a definition's table, a preview's source or a trigger's.
 */
export function createWebhookStore(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  options: { pollIntervalMs?: number; reservedTables?: ReadonlySet<string> } = {},
) {
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const guard = createTableGuard(options.reservedTables);
  const reservedTables = guard.reserved;
  const bool = (v: boolean) => (dialect === "postgres" ? v : v ? 1 : 0);
  const t = (d: Date) => encodeTime(dialect, d);
  const rowText = (column: "old_row" | "new_row") =>
    dialect === "postgres"
      ? sql<string | null>`${sql.ref(`o.${column}`)}::text`
      : sql<string | null>`${sql.ref(`o.${column}`)}`;

  /** Runs `fn` in a transaction (or in the one `db` already is). */
  const tx = <T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    db.isTransaction ? fn(db) : db.transaction().execute(fn);

  const decodeWebhook = (r: Record<string, unknown>): StoredWebhook => {
    let mentions: string[] = [];
    try {
      const parsed = JSON.parse(String(r.mention_user_columns ?? "[]"));
      if (Array.isArray(parsed)) mentions = parsed.filter((x): x is string => typeof x === "string");
    } catch {
      mentions = [];
    }
    const op = String(r.trigger_op ?? "").toUpperCase();
    return {
      id: decodeId(r.id),
      url: String(r.webhook_url ?? ""),
      template: String(r.message_template ?? ""),
      username: r.username ? String(r.username) : null,
      avatarUrl: r.avatar_url ? String(r.avatar_url) : null,
      table: String(r.trigger_table ?? ""),
      operation: (OPERATIONS.includes(op as Operation) ? op : "INSERT") as Operation,
      when: r.when_clause ? String(r.when_clause) : null,
      enabled: r.enabled === true || Number(r.enabled) === 1,
      mentionUserColumns: mentions,
      disabledReason: r.disabled_reason ? String(r.disabled_reason) : null,
      createdAt: decodeTime(r.created_at),
      updatedAt: decodeTime(r.updated_at),
    };
  };

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

  const validate = async (trx: Kysely<Database>, input: unknown, opts: DefinitionWriteOptions) => {
    const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
    const found = await columnsFor(trx, raw.table);
    return parseWebhookDefinition(input, {
      columns: found.columns,
      tables: guard.watchable(found.tables),
      tableName: found.name,
      webhookBaseUrl: opts.webhookBaseUrl ?? null,
      reservedTables,
    }).definition;
  };

  const values = (d: WebhookDefinition) => ({
    webhook_url: d.url,
    message_template: d.template,
    username: d.username ?? "",
    avatar_url: d.avatarUrl,
    trigger_table: d.table,
    trigger_op: d.operation,
    when_clause: d.when ?? "",
    enabled: bool(d.enabled),
    mention_user_columns: JSON.stringify(d.mentionUserColumns),
  });

  const getIn = async (trx: Kysely<Database>, id: string): Promise<StoredWebhook | null> => {
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
  };

  /**
   * Installs a definition's trigger. A database that refuses the DDL — a WHEN condition the core's
   * checks let through but Postgres cannot compile — becomes a `WebhookDefinitionError` issue at
   * `["when"]` with the database's message.
   */
  const installDefinitionTrigger = async (trx: Kysely<Database>, target: TriggerTarget) => {
    try {
      await installTrigger(trx, dialect, target, { reservedTables });
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

  const deadLetterPending = async (
    trx: Kysely<Database>,
    webhookId: string,
    reason: string,
  ): Promise<number> => {
    const result = await trx
      .updateTable("webhook_outbox")
      .set({ state: "dead", dead_reason: reason, lease_owner: null, lease_expires_at: null })
      .where("webhook_id", "=", webhookId)
      .where("state", "=", "pending")
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  };

  /** Whether a pending event is due and unleased now. */
  /**
   * The webhooks whose oldest pending event may start at `now` (the ordering rule: an event waits
   * while an earlier one of its webhook is leased or backing off), oldest head first.
   */
  const claimableHeads = (conn: Kysely<Database>, now: unknown, limit: number) =>
    sql<{ webhook_id: unknown }>`
      select h.webhook_id from (
        select webhook_id, min(id) as head from webhook_outbox where state = 'pending' group by webhook_id
      ) h
      join webhook_outbox ho on ho.id = h.head
      join discord_webhooks w on w.id = h.webhook_id
      where w.enabled = ${bool(true)}
        and (ho.lease_expires_at is null or ho.lease_expires_at <= ${now})
        and (ho.next_attempt_at is null or ho.next_attempt_at <= ${now})
      order by h.head
      limit ${limit}`.execute(conn);

  /**
   * Whether a claim now would lease something: the same rule as `claim`, so an event waiting
   * behind its webhook's leased head does not make the waits return at once (a busy loop).
   */
  const hasDue = async (): Promise<boolean> => (await claimableHeads(db, t(clock.now()), 1)).rows.length > 0;

  const outbox: WebhookOutbox = {
    async claim(opts, io: IoOptions = {}) {
      io.signal?.throwIfAborted();
      const now = t(opts.now);
      const expires = t(new Date(opts.now.getTime() + opts.leaseMs));
      const run = async (trx: Kysely<Database>): Promise<ClaimedEvent[]> => {
        // Claimers take turns on Postgres (see the README: SKIP LOCKED cannot keep per-webhook order);
        // the lock lasts this short transaction, not the delivery. SQLite has one writer anyway.
        if (dialect === "postgres")
          await sql`select pg_advisory_xact_lock(hashtext('guildkit_webhook_claim'))`.execute(trx);
        // 1. Webhooks whose oldest pending event may start now (the ordering rule).
        const heads = await claimableHeads(trx, now, opts.limit);
        const claimed: ClaimedEvent[] = [];
        let budget = opts.limit;
        for (const head of heads.rows) {
          if (budget <= 0) break;
          const webhookId = decodeId(head.webhook_id);
          const take = Math.min(opts.perWebhook, budget);
          // 2. Lease its first events, stopping at nothing blocked before them.
          const leased = await sql<{ id: unknown }>`
            update webhook_outbox set lease_owner = ${opts.owner}, lease_expires_at = ${expires}
            where id in (
              select id from webhook_outbox where webhook_id = ${webhookId} and state = 'pending' order by id limit ${take}
            )
              and (lease_expires_at is null or lease_expires_at <= ${now})
              and (next_attempt_at is null or next_attempt_at <= ${now})
              and not exists (
                select 1 from webhook_outbox p where p.webhook_id = ${webhookId} and p.state = 'pending'
                  and p.id < webhook_outbox.id
                  and ((p.lease_expires_at is not null and p.lease_expires_at > ${now})
                    or (p.next_attempt_at is not null and p.next_attempt_at > ${now}))
              )
            returning id`.execute(trx);
          if (leased.rows.length === 0) continue;
          const ids = leased.rows.map((r) => decodeId(r.id));
          const rows = await trx
            .selectFrom("webhook_outbox as o")
            .innerJoin("discord_webhooks as w", "w.id", "o.webhook_id")
            .select([
              "o.id",
              "o.webhook_id",
              "o.op",
              rowText("old_row").as("old_row"),
              rowText("new_row").as("new_row"),
              "o.created_at",
              "o.attempts",
              "o.possible_duplicate",
              "w.webhook_url",
              "w.message_template",
              "w.username",
              "w.avatar_url",
              "w.mention_user_columns",
            ])
            .where("o.id", "in", ids)
            .orderBy("o.id")
            .execute();
          for (const r of rows) {
            const w = decodeWebhook({ ...r, id: r.webhook_id, trigger_op: r.op, enabled: true });
            claimed.push({
              id: decodeId(r.id),
              webhookId,
              operation: w.operation,
              oldRowJson: r.old_row,
              newRowJson: r.new_row,
              // Only SQLite events written before migration 007 lack a creation time.
              createdAt: decodeTime(r.created_at) ?? opts.now,
              attempts: decodeInteger(r.attempts),
              possibleDuplicate: r.possible_duplicate === true || Number(r.possible_duplicate) === 1,
              webhook: {
                id: webhookId,
                url: w.url,
                template: w.template,
                username: w.username,
                avatarUrl: w.avatarUrl,
                mentionUserColumns: w.mentionUserColumns,
              },
            });
          }
          budget -= rows.length;
        }
        return claimed;
      };
      return dialect === "postgres" ? tx(run) : run(db);
    },

    async complete(eventId: string, owner: string, completion: Completion, io: IoOptions = {}) {
      io.signal?.throwIfAborted();
      let q = db.updateTable("webhook_outbox").where("id", "=", eventId).where("state", "=", "pending");
      if (completion.state !== "delivered") q = q.where("lease_owner", "=", owner);
      const dup = completion.possibleDuplicate ? { possible_duplicate: bool(true) } : {};
      const result =
        completion.state === "delivered"
          ? await q
              .set({
                state: "delivered",
                message_id: completion.messageId,
                delivered_at: t(completion.at),
                lease_owner: null,
                lease_expires_at: null,
                ...dup,
              })
              .executeTakeFirst()
          : completion.state === "retry"
            ? await q
                .set((eb) => ({
                  next_attempt_at: t(completion.nextAttemptAt),
                  last_error: completion.error,
                  attempts: completion.countsAsAttempt ? eb("attempts", "+", 1) : eb.ref("attempts"),
                  lease_owner: null,
                  lease_expires_at: null,
                  ...dup,
                }))
                .executeTakeFirst()
            : await q
                .set({
                  state: "dead",
                  dead_reason: completion.reason,
                  lease_owner: null,
                  lease_expires_at: null,
                  ...dup,
                })
                .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async release(eventIds: readonly string[], owner: string, io: IoOptions = {}) {
      io.signal?.throwIfAborted();
      if (eventIds.length === 0) return;
      await db
        .updateTable("webhook_outbox")
        .set({ lease_owner: null, lease_expires_at: null })
        .where("id", "in", [...eventIds])
        .where("lease_owner", "=", owner)
        .where("state", "=", "pending")
        .execute();
    },

    async disableWebhook(webhookId: string, reason: string, io: IoOptions = {}) {
      io.signal?.throwIfAborted();
      return tx(async (trx) => {
        const current = await getIn(trx, webhookId);
        if (current) {
          await removeTrigger(trx, dialect, webhookId, current.table);
          await trx
            .updateTable("discord_webhooks")
            .set({ enabled: bool(false), disabled_reason: reason, updated_at: t(clock.now()) })
            .where("id", "=", webhookId)
            .execute();
        }
        return deadLetterPending(trx, webhookId, reason);
      });
    },

    async waitForEvents(opts: { timeoutMs: number; pollIntervalMs?: number }, io: IoOptions = {}) {
      const deadline = Date.now() + opts.timeoutMs;
      while (!io.signal?.aborted) {
        if (await hasDue()) return;
        const left = deadline - Date.now();
        if (left <= 0) return;
        await sleep(Math.min(opts.pollIntervalMs ?? pollMs, left), io.signal);
      }
    },
  };

  return {
    ...outbox,

    /** Whether a claim now would lease an event (one query; see `claimableHeads`). */
    hasDueEvents(io: IoOptions = {}): Promise<boolean> {
      io.signal?.throwIfAborted();
      return hasDue();
    },

    /** Every definition, by id. */
    async list(io: IoOptions = {}): Promise<StoredWebhook[]> {
      io.signal?.throwIfAborted();
      const rows = await db.selectFrom("discord_webhooks").selectAll().orderBy("id").execute();
      return rows.map((r) => decodeWebhook(r as Record<string, unknown>));
    },

    /** One definition, or `null` (also for an id outside 1..2^63-1, which no row can have). */
    async get(id: string, io: IoOptions = {}): Promise<StoredWebhook | null> {
      io.signal?.throwIfAborted();
      return getIn(db, id);
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
          const stamp = t(clock.now());
          const inserted = await trx
            .insertInto("discord_webhooks")
            .values({ ...values(d), disabled_reason: null, created_at: stamp, updated_at: stamp })
            .returning("id")
            .executeTakeFirstOrThrow();
          const id = decodeId(inserted.id);
          if (d.enabled)
            await installDefinitionTrigger(trx, { id, table: d.table, operation: d.operation, when: d.when });
          return (await getIn(trx, id)) as StoredWebhook;
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
        const current = await getIn(trx, id);
        if (!current) return null;
        const d = await validate(trx, input, opts);
        return inSavepoint(trx, "guildkit_webhook_write", async () => {
          await removeTrigger(trx, dialect, id, current.table);
          await trx
            .updateTable("discord_webhooks")
            .set({
              ...values(d),
              disabled_reason: d.enabled ? null : current.disabledReason,
              updated_at: t(clock.now()),
            })
            .where("id", "=", id)
            .execute();
          if (d.enabled)
            await installDefinitionTrigger(trx, { id, table: d.table, operation: d.operation, when: d.when });
          return getIn(trx, id);
        });
      });
    },

    /** Deletes a definition, its trigger and its pending events, in one transaction. */
    async remove(id: string, io: IoOptions = {}): Promise<boolean> {
      io.signal?.throwIfAborted();
      return tx(async (trx) => {
        const current = await getIn(trx, id);
        if (!current) return false;
        await removeTrigger(trx, dialect, id, current.table);
        await trx
          .deleteFrom("webhook_outbox")
          .where("webhook_id", "=", id)
          .where("state", "=", "pending")
          .execute();
        await trx.deleteFrom("discord_webhooks").where("id", "=", id).execute();
        return true;
      });
    },

    /**
     * The columns of a table (`null` when it does not exist), with its name as the database spells
     * it. Throws `WebhookDefinitionError` (`table_reserved` at `table`) for a table of guildkit's.
     */
    async tableColumns(
      table: string,
      io: IoOptions = {},
    ): Promise<{ table: string; columns: TableColumn[] } | null> {
      io.signal?.throwIfAborted();
      guard.assertWatchable(table);
      const name = await findTable(db, dialect, table);
      if (name === null) return null;
      const columns = await tableColumns(db, dialect, name);
      return columns ? { table: name, columns } : null;
    },

    /** The tables a webhook may watch (guildkit's own left out). */
    async tables(io: IoOptions = {}): Promise<string[]> {
      io.signal?.throwIfAborted();
      return guard.watchable(await listTables(db, dialect));
    },

    /**
     * The newest row of a table — the highest primary key (SQLite's `rowid`, Postgres's `ctid`, when
     * the table has none) — as the triggers would store it (BLOBs as `\x…` hex, integers beyond
     * 2^53 exact as `bigint`), or `null`. A table of guildkit's is never read: `WebhookDefinitionError`
     * (`table_reserved` at `table`).
     */
    async newestRow(table: string, io: IoOptions = {}): Promise<RowData | null> {
      io.signal?.throwIfAborted();
      guard.assertWatchable(table);
      const name = await findTable(db, dialect, table);
      if (name === null) return null;
      const key = await primaryKeyColumns(db, dialect, name);
      const order =
        key.length > 0
          ? key.map((column) => sql`${sql.id("r", column)} desc`)
          : [sql.raw(dialect === "postgres" ? "r.ctid desc" : "r.rowid desc")];
      const image =
        dialect === "postgres"
          ? sql`to_jsonb(r)::text`
          : sql.raw(sqliteRowJson("r", (await tableColumns(db, dialect, name)) ?? []));
      const r = await sql<{ row: string }>`select ${image} as row from ${sql.id(name)} as r
        order by ${sql.join(order)} limit 1`.execute(db);
      return r.rows[0] ? parseRowJson(r.rows[0].row) : null;
    },

    /** Dead-lettered events, newest first (none for a `webhookId` that is not a row id). */
    async listDead(
      opts: { webhookId?: string | null; limit?: number } & IoOptions = {},
    ): Promise<DeadEvent[]> {
      opts.signal?.throwIfAborted();
      let q = db.selectFrom("webhook_outbox").selectAll().where("state", "=", "dead");
      if (opts.webhookId) {
        const webhookId = toRowId(opts.webhookId);
        if (webhookId === null) return [];
        q = q.where("webhook_id", "=", webhookId);
      }
      const rows = await q
        .orderBy("id", "desc")
        .limit(Math.min(Math.max(opts.limit ?? 100, 1), 1000))
        .execute();
      return rows.map((r) => ({
        id: decodeId(r.id),
        webhookId: decodeId(r.webhook_id),
        operation: String(r.op).toUpperCase() as Operation,
        createdAt: decodeTime(r.created_at),
        attempts: decodeInteger(r.attempts),
        reason: r.dead_reason,
        lastError: r.last_error,
        possibleDuplicate: r.possible_duplicate === true || Number(r.possible_duplicate) === 1,
      }));
    },

    /**
     * Puts dead events back in the queue (attempts reset, due now): one event, all of a webhook's,
     * or all. Returns how many (0 for an id that is not a row id: 1..2^63-1). A disabled webhook's
     * events wait until it is enabled again.
     */
    async redeliver(
      target: { eventId: string } | { webhookId: string } | { all: true },
      io: IoOptions = {},
    ): Promise<number> {
      io.signal?.throwIfAborted();
      let q = db
        .updateTable("webhook_outbox")
        .set({
          state: "pending",
          attempts: 0,
          next_attempt_at: null,
          dead_reason: null,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where("state", "=", "dead");
      if ("eventId" in target || "webhookId" in target) {
        const key = toRowId("eventId" in target ? target.eventId : target.webhookId);
        if (key === null) return 0; // no event has such an id
        q = q.where("eventId" in target ? "id" : "webhook_id", "=", key);
      }
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Events by state (metrics, benchmarks). */
    async countByState(io: IoOptions = {}): Promise<Record<"pending" | "delivered" | "dead", number>> {
      io.signal?.throwIfAborted();
      const rows = await db
        .selectFrom("webhook_outbox")
        .select(["state", (eb) => eb.fn.countAll().as("n")])
        .groupBy("state")
        .execute();
      const out = { pending: 0, delivered: 0, dead: 0 };
      for (const r of rows) if (r.state in out) out[r.state as keyof typeof out] = decodeInteger(r.n);
      return out;
    },

    /**
     * Makes the triggers match the definitions (run at start-up): installs every enabled
     * definition's trigger again, drops guildkit triggers with no enabled definition, and disables
     * (with the reason) a definition that no longer fits its table.
     */
    async repairTriggers(io: IoOptions = {}): Promise<TriggerRepairReport> {
      io.signal?.throwIfAborted();
      return tx(async (trx) => {
        const report: TriggerRepairReport = { installed: [], dropped: [], disabled: [] };
        const rows = await trx.selectFrom("discord_webhooks").selectAll().execute();
        const defs = rows.map((r) => decodeWebhook(r as Record<string, unknown>));
        const enabled = new Set(defs.filter((d) => d.enabled).map((d) => d.id));
        for (const trigger of await listTriggers(trx, dialect)) {
          const id = webhookIdOfTrigger(trigger.name);
          if (id === null || !enabled.has(id)) {
            await dropTriggerNamed(trx, dialect, trigger);
            report.dropped.push(trigger.name);
          }
        }
        for (const d of defs.filter((x) => x.enabled)) {
          try {
            await inSavepoint(trx, "guildkit_repair", () =>
              installTrigger(
                trx,
                dialect,
                { id: d.id, table: d.table, operation: d.operation, when: d.when },
                { reservedTables },
              ),
            );
            report.installed.push(d.id);
          } catch (err) {
            const reason = `the trigger could not be installed at start-up: ${(err as Error).message}`;
            await trx
              .updateTable("discord_webhooks")
              .set({ enabled: bool(false), disabled_reason: reason, updated_at: t(clock.now()) })
              .where("id", "=", d.id)
              .execute();
            report.disabled.push({ id: d.id, reason });
          }
        }
        return report;
      });
    },
  };
}

/** The webhook store port (`store.webhooks`). */
export type WebhookStore = ReturnType<typeof createWebhookStore>;

/** Re-exported so callers can tell a validation failure from a database error. */
export { type DefinitionIssue, WebhookDefinitionError };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
