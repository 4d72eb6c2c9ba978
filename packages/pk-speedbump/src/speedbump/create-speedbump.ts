import { SpeedbumpStoppedError } from "../errors";
import type { MessageEvent } from "../events";
import { createChannelCache } from "./channel-cache";
import { createDispatch } from "./handlers";
import { createHolds } from "./holds";
import { createProxyKnowledge } from "./proxy-lookup";
import { createSpeedbumpRuntime } from "./runtime";
import type { Speedbump, SpeedbumpDecision, SpeedbumpDeps, SpeedbumpStartResult } from "./types";
import { createUnresolved } from "./unresolved";
import { createWebhookCheck } from "./webhook-check";

/**
 * Creates the PluralKit speedbump: per channel it learns whether PluralKit proxies there (by
 * reading the channel's webhooks after a message delete, at most once per refresh interval), holds
 * messages of users known to proxy for `delayMs`, drops a held message that is deleted, delivers a
 * held message once with its latest content, and attributes PluralKit's webhook messages to the
 * proxied member. Channels without a proxy webhook get no delay.
 *
 * Holds are persisted with their due time through `store` and recovered by `start()`; a recovered
 * hold is checked with PluralKit (it knows an original message for 30 minutes) before it is
 * delivered, because its delete may have come while the relay was down.
 */
export function createSpeedbump(deps: SpeedbumpDeps): Speedbump {
  const runtime = createSpeedbumpRuntime(deps);
  const channels = createChannelCache(runtime);
  const proxy = createProxyKnowledge(runtime);
  const holds = createHolds(runtime, proxy);
  const unresolved = createUnresolved(runtime, proxy);
  const checkWebhooks = createWebhookCheck(runtime, channels);
  const dispatch = createDispatch({ runtime, channels, holds, proxy, unresolved, checkWebhooks });
  const { store } = deps;
  let starting: Promise<SpeedbumpStartResult> | null = null;
  let started = false;

  async function doStart(): Promise<SpeedbumpStartResult> {
    const [pending, active, nextUnresolved] = await Promise.all([
      store.listHolds(),
      store.listActiveChannels(),
      store.nextUnresolvedAt(),
    ]);
    for (const state of active) if (!channels.known(state.channelId)) channels.remember(state);
    holds.recover(pending);
    if (nextUnresolved) unresolved.arm(nextUnresolved);
    return { recoveredHolds: pending.length, activeChannels: active.length };
  }

  function start(): Promise<SpeedbumpStartResult> {
    if (runtime.stopped) return Promise.reject(new SpeedbumpStoppedError());
    starting ??= doStart().then(
      (result) => {
        started = true;
        return result;
      },
      (error: unknown) => {
        starting = null;
        throw error;
      },
    );
    return starting;
  }

  function handle(event: MessageEvent): Promise<SpeedbumpDecision | SpeedbumpDecision[]> {
    if (runtime.stopped) return Promise.reject(new SpeedbumpStoppedError());
    if (started) return dispatch(event);
    // Events before the start are dispatched after it, in the order they came.
    return runtime.track(start().then(() => handle(event)));
  }

  return {
    start,
    handle: handle as Speedbump["handle"],
    resolvePending: (opts) => unresolved.resolvePending(opts),
    settled: () => runtime.settled(),
    holdsReleased: () => holds.released(),
    async stop() {
      runtime.stopped = true;
      holds.stop();
      unresolved.stop();
      await runtime.settled();
    },
    stats: () => ({
      pendingHolds: holds.size,
      channels: channels.size,
      ...runtime.counters,
    }),
  };
}
