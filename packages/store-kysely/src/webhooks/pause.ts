import { type IoOptions, toRowId } from "@guildkit/webhook-templates";
import { sql } from "kysely";
import type { WebhookStoreContext } from "./context";
import { getWebhook } from "./definitions";
import type { StoredWebhook } from "./rows";

/**
 * Pause and resume: a paused webhook keeps its trigger, so its events keep accumulating in order;
 * claims skip it until it is resumed, and then deliver them in that order. Distinct from disabling
 * (`update` with `enabled: false`, or `disableWebhook` on Discord's 404), which drops the trigger.
 */
export function createWebhookPause(ctx: WebhookStoreContext) {
  const { t } = ctx;
  const setPaused = async (id: string, paused: boolean, io: IoOptions): Promise<StoredWebhook | null> => {
    io.signal?.throwIfAborted();
    const key = toRowId(id);
    if (key === null) return null; // no row has such an id
    return ctx.tx(async (trx) => {
      const stamp = t(ctx.clock.now());
      await sql`update discord_webhooks set paused_at = ${paused ? stamp : null}, updated_at = ${stamp}
        where id = ${sql`cast(${key} as bigint)`} and (paused_at is null) = ${ctx.sql.bool(paused)}`.execute(
        trx,
      );
      // Resumed: its accumulated events are due now; wake the waiting workers.
      if (!paused) await ctx.sql.wake(trx);
      return getWebhook(trx, key);
    });
  };
  return {
    /**
     * Pauses delivery to a webhook (from now, until {@link resume}); pausing a paused one keeps its
     * `pausedAt`. Returns the webhook, or `null` when there is none.
     */
    pause(id: string, io: IoOptions = {}): Promise<StoredWebhook | null> {
      return setPaused(id, true, io);
    },
    /** Resumes delivery: the events recorded meanwhile go out in order. `null` when there is no such webhook. */
    resume(id: string, io: IoOptions = {}): Promise<StoredWebhook | null> {
      return setPaused(id, false, io);
    },
  };
}
