import type {
  ClaimedEvent,
  Completion,
  IoOptions,
  OutboxWakeups,
  WebhookOutbox,
} from "@guildkit/webhook-templates";
import { type Kysely, sql } from "kysely";
import { decodeId, decodeInteger, decodeTime } from "../codec";
import type { Database } from "../schema";
import { removeTrigger } from "./catalog";
import type { WebhookStoreContext } from "./context";
import { deadLetterPending } from "./dead-letters";
import { getWebhook } from "./definitions";
import { decodeWebhook, isTrue } from "./rows";

type ClaimOptions = Parameters<WebhookOutbox["claim"]>[0];

/**
 * The outbox port of `@guildkit/webhook-templates`: ordered claims with leases, completion
 * fencing, release, disable with dead-lettering, and `waitForEvents` on the store's wake-ups.
 */
export function createWebhookOutbox(ctx: WebhookStoreContext, wakeups: OutboxWakeups) {
  const { db, dialect, t } = ctx;
  const bool = ctx.sql.bool;

  /**
   * The webhooks (enabled, not paused) whose oldest pending event may start at `now` (the ordering rule: an event waits
   * while an earlier one of its webhook is leased or backing off), oldest head first.
   */
  const claimableHeads = (conn: Kysely<Database>, now: unknown, limit: number) =>
    sql<{ webhook_id: unknown }>`
      select h.webhook_id from (
        select webhook_id, min(id) as head from webhook_outbox where state = 'pending' group by webhook_id
      ) h
      join webhook_outbox ho on ho.id = h.head
      join discord_webhooks w on w.id = h.webhook_id
      where w.enabled = ${bool(true)} and w.paused_at is null
        and (ho.lease_expires_at is null or ho.lease_expires_at <= ${now})
        and (ho.next_attempt_at is null or ho.next_attempt_at <= ${now})
      order by h.head
      limit ${limit}`.execute(conn);

  /**
   * Whether a claim now would lease something: the same rule as `claim`, so an event waiting
   * behind its webhook's leased head does not make the waits return at once (a busy loop).
   */
  const hasDue = async (): Promise<boolean> => {
    await ctx.fanOut();
    return (await claimableHeads(db, t(ctx.clock.now()), 1)).rows.length > 0;
  };

  /** Leases a webhook's first `take` pending events, stopping at anything blocked before them. */
  const leaseRun = async (trx: Kysely<Database>, webhookId: string, take: number, opts: ClaimOptions) => {
    const now = t(opts.now);
    const expires = t(new Date(opts.now.getTime() + opts.leaseMs));
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
    return leased.rows.map((r) => decodeId(r.id));
  };

  /** The leased events with their webhook, in id order. */
  const readClaimed = async (
    trx: Kysely<Database>,
    webhookId: string,
    ids: string[],
    opts: ClaimOptions,
  ): Promise<ClaimedEvent[]> => {
    const rows = await trx
      .selectFrom("webhook_outbox as o")
      .innerJoin("discord_webhooks as w", "w.id", "o.webhook_id")
      .select([
        "o.id",
        "o.webhook_id",
        "o.op",
        ctx.sql.rowText("old_row").as("old_row"),
        ctx.sql.rowText("new_row").as("new_row"),
        "o.created_at",
        "o.attempts",
        "o.possible_duplicate",
        "w.webhook_url",
        "w.message_template",
        "w.username",
        "w.avatar_url",
        "w.mention_user_columns",
        "w.retry_delays_ms",
        "w.give_up_after_ms",
        "w.embed_template",
        "w.coalesce_max",
      ])
      .where("o.id", "in", ids)
      .orderBy("o.id")
      .execute();
    return rows.map((r) => {
      const w = decodeWebhook({ ...r, id: r.webhook_id, trigger_op: r.op, enabled: true });
      return {
        id: decodeId(r.id),
        webhookId,
        operation: w.operation,
        oldRowJson: r.old_row,
        newRowJson: r.new_row,
        // Only SQLite events written before migration 007 lack a creation time.
        createdAt: decodeTime(r.created_at) ?? opts.now,
        attempts: decodeInteger(r.attempts),
        possibleDuplicate: isTrue(r.possible_duplicate),
        webhook: {
          id: webhookId,
          url: w.url,
          template: w.template,
          username: w.username,
          avatarUrl: w.avatarUrl,
          mentionUserColumns: w.mentionUserColumns,
          retryDelaysMs: w.retryDelaysMs,
          giveUpAfterMs: w.giveUpAfterMs,
          embed: w.embed,
          coalesce: w.coalesce,
        },
      };
    });
  };

  const completionSet = (completion: Completion) => {
    const dup = completion.possibleDuplicate ? { possible_duplicate: bool(true) } : {};
    const unleased = { lease_owner: null, lease_expires_at: null, ...dup };
    switch (completion.state) {
      case "delivered":
        return {
          state: "delivered" as const,
          message_id: completion.messageId,
          delivered_at: t(completion.at),
          ...unleased,
        };
      case "retry":
        return {
          next_attempt_at: t(completion.nextAttemptAt),
          last_error: completion.error,
          ...(completion.countsAsAttempt ? { attempts: sql<number>`attempts + 1` } : {}),
          ...unleased,
        };
      case "dead":
        return { state: "dead" as const, dead_reason: completion.reason, ...unleased };
    }
  };

  const outbox = {
    async claim(opts: ClaimOptions, io: IoOptions = {}): Promise<ClaimedEvent[]> {
      io.signal?.throwIfAborted();
      return ctx.sql.runClaim(db, async (trx: Kysely<Database>) => {
        // 0. The changes recorded since the last claim become delivery rows (off the write path).
        await ctx.fanOut(trx);
        // 1. Webhooks whose oldest pending event may start now (the ordering rule).
        const heads = await claimableHeads(trx, t(opts.now), opts.limit);
        const claimed: ClaimedEvent[] = [];
        let budget = opts.limit;
        for (const head of heads.rows) {
          if (budget <= 0) break;
          const webhookId = decodeId(head.webhook_id);
          // 2. Lease its first events, stopping at nothing blocked before them.
          const ids = await leaseRun(trx, webhookId, Math.min(opts.perWebhook, budget), opts);
          if (ids.length === 0) continue;
          const events = await readClaimed(trx, webhookId, ids, opts);
          claimed.push(...events);
          budget -= events.length;
        }
        return claimed;
      });
    },

    async complete(eventId: string, owner: string, completion: Completion, io: IoOptions = {}) {
      io.signal?.throwIfAborted();
      let q = db.updateTable("webhook_outbox").where("id", "=", eventId).where("state", "=", "pending");
      if (completion.state !== "delivered") q = q.where("lease_owner", "=", owner);
      const result = await q.set(completionSet(completion)).executeTakeFirst();
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
      return ctx.tx(async (trx) => {
        await ctx.fanOut(trx);
        const current = await getWebhook(trx, webhookId);
        if (current) {
          await removeTrigger(trx, dialect, webhookId, current.table);
          await trx
            .updateTable("discord_webhooks")
            .set({ enabled: bool(false), disabled_reason: reason, updated_at: t(ctx.clock.now()) })
            .where("id", "=", webhookId)
            .execute();
        }
        return deadLetterPending(trx, webhookId, reason);
      });
    },

    waitForEvents(opts: { timeoutMs: number; pollIntervalMs?: number }, io: IoOptions = {}) {
      return wakeups.wait({ ...opts, ...(io.signal ? { signal: io.signal } : {}), due: hasDue });
    },

    /**
     * Turns the changes the table triggers recorded into delivery rows, one per matching webhook
     * (`claim` does it first; so do `hasDueEvents`, `countByState` and the definition writes that
     * need them). Returns how many rows it created.
     */
    fanOut(io: IoOptions = {}): Promise<number> {
      io.signal?.throwIfAborted();
      return ctx.fanOut();
    },

    /** Whether a claim now would lease an event (one query; see `claimableHeads`). */
    hasDueEvents(io: IoOptions = {}): Promise<boolean> {
      io.signal?.throwIfAborted();
      return hasDue();
    },
  } satisfies WebhookOutbox & Record<string, unknown>;
  return outbox;
}
