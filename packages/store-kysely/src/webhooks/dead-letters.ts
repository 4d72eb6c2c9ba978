import {
  assertRedeliverRange,
  type IoOptions,
  type Operation,
  type RedeliverTarget,
  toRowId,
} from "@guildkit/webhook-templates";
import type { Kysely } from "kysely";
import { decodeId, decodeInteger, decodeTime } from "../codec";
import type { Database } from "../schema";
import type { WebhookStoreContext } from "./context";
import { isTrue } from "./rows";

/** What {@link countByWebhook} reports for one webhook. */
export interface WebhookDeliveryStats {
  delivered: number;
  pending: number;
  retrying: number;
  dead: number;
  /** The error of the newest event that has one (`last_error`), or null. */
  lastError: string | null;
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

/** Dead-letters every pending event of a webhook with `reason`; returns how many. */
export async function deadLetterPending(
  trx: Kysely<Database>,
  webhookId: string,
  reason: string,
): Promise<number> {
  const result = await trx
    .updateTable("webhook_outbox")
    .set({ state: "dead", dead_reason: reason, lease_owner: null, lease_expires_at: null })
    .where("webhook_id", "=", webhookId)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Dead letters for the admin, redelivery, and the counts by state. */
export function createDeadLetters(ctx: WebhookStoreContext) {
  const { db } = ctx;
  return {
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
        possibleDuplicate: isTrue(r.possible_duplicate),
      }));
    },

    /**
     * Puts dead events back in the queue (attempts reset, due now): one event, all of a webhook's,
     * all, or those whose change was written in `[since, until)` (`created_at`; `until` open when
     * absent; of one webhook with `webhookId`). Returns how many (0 for an id that is not a row id:
     * 1..2^63-1). A range that is not two valid, ordered times throws `RedeliverRangeError` and
     * changes nothing. A disabled webhook's events wait until it is enabled again.
     */
    async redeliver(target: RedeliverTarget, io: IoOptions = {}): Promise<number> {
      io.signal?.throwIfAborted();
      if ("since" in target) assertRedeliverRange(target);
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
      if ("since" in target) {
        q = q.where("created_at", ">=", ctx.t(target.since) as never);
        if (target.until) q = q.where("created_at", "<", ctx.t(target.until) as never);
      }
      const idFilter =
        "eventId" in target ? target.eventId : "webhookId" in target ? target.webhookId : undefined;
      if (idFilter !== undefined) {
        const key = toRowId(idFilter);
        if (key === null) return 0; // no event has such an id
        q = q.where("eventId" in target ? "id" : "webhook_id", "=", key);
      }
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Events by state (metrics, benchmarks). */
    async countByState(io: IoOptions = {}): Promise<Record<"pending" | "delivered" | "dead", number>> {
      io.signal?.throwIfAborted();
      await ctx.fanOut(); // a recorded change is pending for every webhook it matched
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
     * Delivery stats per webhook id (the admin console's webhook list): events delivered, pending
     * (never attempted), retrying (pending after a failed attempt) and dead, and the newest event's
     * error, if any. Webhooks without events are absent.
     */
    async countByWebhook(io: IoOptions = {}): Promise<Record<string, WebhookDeliveryStats>> {
      io.signal?.throwIfAborted();
      await ctx.fanOut();
      const rows = await db
        .selectFrom("webhook_outbox")
        .select([
          "webhook_id",
          "state",
          (eb) => eb.case().when("attempts", ">", 0).then(1).else(0).end().as("tried"),
          (eb) => eb.fn.countAll().as("n"),
        ])
        .groupBy(["webhook_id", "state", "tried"])
        .execute();
      const out: Record<string, WebhookDeliveryStats> = {};
      const entry = (id: string) => {
        out[id] ??= { delivered: 0, pending: 0, retrying: 0, dead: 0, lastError: null };
        return out[id];
      };
      for (const r of rows) {
        const stats = entry(decodeId(r.webhook_id));
        const n = decodeInteger(r.n);
        if (r.state === "delivered") stats.delivered += n;
        else if (r.state === "dead") stats.dead += n;
        else if (decodeInteger(r.tried) > 0) stats.retrying += n;
        else stats.pending += n;
      }
      const newest = await db
        .selectFrom("webhook_outbox")
        .select(["webhook_id", "last_error"])
        .where("id", "in", (eb) =>
          eb
            .selectFrom("webhook_outbox")
            .select((e) => e.fn.max("id").as("id"))
            .where("last_error", "is not", null)
            .groupBy("webhook_id"),
        )
        .execute();
      for (const r of newest) entry(decodeId(r.webhook_id)).lastError = r.last_error;
      return out;
    },
  };
}
