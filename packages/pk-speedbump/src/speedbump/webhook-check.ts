import { retryAfterMsOf } from "@guildkit/core";
import { needsWebhookCheck, stateFromWebhooks } from "../channel-state";
import type { ChannelCache } from "./channel-cache";
import { describeError, isWorthRetrying, type SpeedbumpRuntime, statusOf } from "./runtime";

/**
 * Re-reads a channel's webhooks after a delete, at most once per refresh interval, in the
 * background: a PluralKit webhook turns the speedbump on, none turns it off. A failed read waits
 * `webhookRetryMs` (or the error's `retryAfterMs`), a permanent failure a full interval.
 */
export type WebhookCheck = (channelId: string) => void;

/** Creates the webhook check of one speedbump. */
export function createWebhookCheck(runtime: SpeedbumpRuntime, channels: ChannelCache): WebhookCheck {
  const { webhooks } = runtime.deps;
  const { options } = runtime;
  const checking = new Set<string>();
  const retryAt = new Map<string, number>();

  async function check(channelId: string, inMemory: boolean): Promise<void> {
    try {
      if (!inMemory) {
        // Not in memory (quiet at start, or evicted): the store knows when it was last read.
        const stored = await channels.read(channelId);
        if (stored && !channels.known(channelId)) channels.remember(stored);
        if (stored && !needsWebhookCheck(stored, runtime.now(), options.refreshIntervalMs)) return;
      }
      runtime.counters.webhookChecks++;
      const list = await webhooks.list({ channelId });
      retryAt.delete(channelId);
      channels.save(stateFromWebhooks(channelId, list, options.proxyApplicationIds, runtime.now()));
    } catch (error) {
      const wait = isWorthRetrying(error)
        ? Math.max(retryAfterMsOf(error) ?? 0, options.webhookRetryMs)
        : options.refreshIntervalMs;
      retryAt.set(channelId, runtime.now().getTime() + wait);
      runtime.log({
        kind: "speedbump.check_failed",
        level: "warn",
        message: `reading the webhooks of channel ${channelId} failed (${describeError(error)}); next try in ${wait} ms at the earliest`,
        data: { channelId, status: statusOf(error) },
      });
    } finally {
      checking.delete(channelId);
    }
  }

  return (channelId) => {
    const now = runtime.now();
    if (checking.has(channelId) || (retryAt.get(channelId) ?? 0) > now.getTime()) return;
    const known = channels.known(channelId);
    if (known && !needsWebhookCheck(known, now, options.refreshIntervalMs)) return;
    checking.add(channelId);
    runtime.track(check(channelId, known !== null));
  };
}
