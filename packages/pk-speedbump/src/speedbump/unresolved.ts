import type { MessageCreateEvent } from "../events";
import { mapIdentity, type WebhookProfile } from "../identity";
import type { TimerHandle, UnresolvedProxyMessage } from "../ports";
import type { ProxyKnowledge } from "./proxy-lookup";
import { isWorthRetrying, type SpeedbumpRuntime } from "./runtime";

/**
 * Proxied messages delivered under the webhook's own profile because PluralKit could not be asked:
 * persisted, retried with backoff (doubling from `unresolvedRetryMs` up to an hour) on a timer,
 * given up after `unresolvedMaxAttempts`; a resolved identity is learnt and told to the host.
 */
export interface Unresolved {
  /** Persists a proxied message whose lookup failed and arms its retry. */
  queue(event: MessageCreateEvent, profile: WebhookProfile): Promise<void>;
  /** Arms the retry timer for `at` (or keeps an earlier one). */
  arm(at: Date): void;
  /** Retries the entries due now; returns how many were resolved. */
  resolvePending(opts?: { limit?: number }): Promise<number>;
  /** Clears the timer. */
  stop(): void;
}

const HOUR = 3_600_000;

/** Creates the unresolved-identity retries of one speedbump. */
export function createUnresolved(runtime: SpeedbumpRuntime, proxy: ProxyKnowledge): Unresolved {
  const { store, scheduler } = runtime.deps;
  const { options } = runtime;
  let timer: TimerHandle | null = null;
  let timerAt: number | null = null;

  const forget = (messageId: string) =>
    store.deleteUnresolved({ messageId }).catch((e) => runtime.storeFailed("deleteUnresolved", e));

  function arm(at: Date): void {
    if (runtime.stopped) return;
    const time = at.getTime();
    if (timerAt !== null && timerAt <= time) return;
    if (timer !== null) scheduler.clear(timer);
    timerAt = time;
    timer = scheduler.setTimer(at, () => {
      timer = null;
      timerAt = null;
      if (!runtime.stopped) runtime.track(resolvePending().catch(() => 0));
    });
  }

  async function queue(event: MessageCreateEvent, profile: WebhookProfile): Promise<void> {
    const item: UnresolvedProxyMessage = {
      messageId: event.id,
      channelId: event.channelId,
      guildId: event.guildId,
      webhookId: profile.webhookId,
      webhookUsername: profile.username,
      webhookAvatarUrl: profile.avatarUrl,
      attempts: 0,
      nextAttemptAt: new Date(
        Math.max(runtime.now().getTime() + options.unresolvedRetryMs, proxy.blockedUntil),
      ),
    };
    try {
      await store.saveUnresolved(item);
    } catch (error) {
      runtime.storeFailed("saveUnresolved", error, { messageId: event.id });
      return;
    }
    arm(item.nextAttemptAt);
  }

  /** A failed retry: given up, or rescheduled; returns the next attempt's time (null when given up). */
  async function failed(item: UnresolvedProxyMessage, error: unknown): Promise<number | null> {
    const attempts = item.attempts + 1;
    if (attempts >= options.unresolvedMaxAttempts || !isWorthRetrying(error)) {
      await forget(item.messageId);
      runtime.log({
        kind: "pluralkit.unresolved_gave_up",
        level: "warn",
        message: `gave up resolving the PluralKit identity of message ${item.messageId} after ${attempts} attempts`,
        data: { messageId: item.messageId, channelId: item.channelId },
      });
      return null;
    }
    const delay = Math.min(options.unresolvedRetryMs * 2 ** attempts, HOUR);
    const next = new Date(Math.max(runtime.now().getTime() + delay, proxy.blockedUntil));
    await store
      .saveUnresolved({ ...item, attempts, nextAttemptAt: next })
      .catch((e) => runtime.storeFailed("saveUnresolved", e));
    return next.getTime();
  }

  /** A retry that found the message on PluralKit (or learnt PluralKit does not know it). */
  async function resolved(item: UnresolvedProxyMessage, message: Parameters<ProxyKnowledge["learn"]>[0]) {
    const profile: WebhookProfile = {
      webhookId: item.webhookId,
      username: item.webhookUsername,
      avatarUrl: item.webhookAvatarUrl,
    };
    const identity = mapIdentity(message, profile, options.identity);
    await proxy.learn(message, identity, item.guildId);
    await forget(item.messageId);
    runtime.log({
      kind: "pluralkit.identity_resolved",
      level: "info",
      message: `resolved the PluralKit identity of message ${item.messageId}`,
      discordUserId: identity.senderUserId,
      data: { messageId: item.messageId, channelId: item.channelId, memberKey: identity.key },
    });
    const hook = runtime.deps.onIdentityResolved;
    if (!hook) return;
    try {
      await hook({ messageId: item.messageId, channelId: item.channelId, identity });
    } catch {
      // The hook's failure is the app's; the identity is recorded either way.
    }
  }

  async function resolvePending(opts: { limit?: number } = {}): Promise<number> {
    const limit = opts.limit ?? 50;
    let items: UnresolvedProxyMessage[];
    try {
      items = await store.listUnresolved({ dueBefore: runtime.now(), limit });
    } catch (error) {
      runtime.storeFailed("listUnresolved", error);
      arm(new Date(runtime.now().getTime() + options.unresolvedRetryMs));
      return 0;
    }
    let count = 0;
    let nextAt: number | null = items.length === limit ? runtime.now().getTime() : null;
    for (const item of items) {
      const result = await proxy.lookup(item.messageId);
      if (result.ok) {
        await resolved(item, result.message);
        count++;
        continue;
      }
      const next = await failed(item, result.error);
      if (next !== null) nextAt = Math.min(nextAt ?? Number.POSITIVE_INFINITY, next);
    }
    if (nextAt !== null) arm(new Date(nextAt));
    return count;
  }

  return {
    queue,
    arm,
    resolvePending,
    stop() {
      if (timer !== null) scheduler.clear(timer);
      timer = null;
    },
  };
}
