import { isSpeedbumpOn } from "../channel-state";
import { createLru } from "../lru";
import type { ChannelState } from "../ports";
import type { SpeedbumpRuntime } from "./runtime";

/**
 * What this process knows of the channels: those with the speedbump on (loaded by `start()`, never
 * evicted — they are few) and a bounded cache of the others (when their webhooks were last read).
 */
export interface ChannelCache {
  /** What this process knows of a channel, without a store read; null when nothing. */
  known(channelId: string): ChannelState | null;
  /** Keeps a state in memory (no store write). */
  remember(state: ChannelState): void;
  /**
   * Applies a channel's new state at once and writes it in the background (a channel's writes in
   * order, outside its line of events: no message waits for the store); logs an on/off change.
   */
  save(state: ChannelState): void;
  /** A channel's stored state; null when there is none or on a store failure (logged). */
  read(channelId: string): Promise<ChannelState | null>;
  /** Channels with the speedbump on. */
  readonly activeSize: number;
  /** Channel states held in memory. */
  readonly size: number;
}

/** Creates the channel cache of one speedbump. */
export function createChannelCache(runtime: SpeedbumpRuntime): ChannelCache {
  const { store } = runtime.deps;
  const active = new Map<string, ChannelState>();
  const quiet = createLru<string, ChannelState>(runtime.options.channelCacheSize);

  function known(channelId: string): ChannelState | null {
    return active.get(channelId) ?? quiet.get(channelId) ?? null;
  }

  function remember(state: ChannelState): void {
    if (isSpeedbumpOn(state)) {
      active.set(state.channelId, state);
      quiet.delete(state.channelId);
    } else {
      active.delete(state.channelId);
      quiet.set(state.channelId, state);
    }
  }

  function logChange(previous: ChannelState | null, state: ChannelState): void {
    const wasOn = isSpeedbumpOn(previous);
    const isOn = isSpeedbumpOn(state);
    if (wasOn === isOn && (!isOn || previous?.webhookId === state.webhookId)) return;
    runtime.log({
      kind: isOn ? "speedbump.on" : "speedbump.off",
      level: "info",
      message: isOn
        ? `speedbump on in channel ${state.channelId} (proxy webhook ${state.webhookId})`
        : `speedbump off in channel ${state.channelId} (no proxy webhook)`,
      data: {
        channelId: state.channelId,
        webhookId: state.webhookId,
        applicationId: state.proxyApplicationId,
      },
    });
  }

  function save(state: ChannelState): void {
    const previous = known(state.channelId);
    remember(state);
    runtime.track(
      runtime.lines.run(`store:${state.channelId}`, () =>
        store.saveChannel(state).catch((error: unknown) => {
          runtime.storeFailed("saveChannel", error, { channelId: state.channelId });
        }),
      ),
    );
    logChange(previous, state);
  }

  async function read(channelId: string): Promise<ChannelState | null> {
    try {
      return await store.getChannel({ channelId });
    } catch (error) {
      runtime.storeFailed("getChannel", error, { channelId });
      return null;
    }
  }

  return {
    known,
    remember,
    save,
    read,
    get activeSize() {
      return active.size;
    },
    get size() {
      return active.size + quiet.size;
    },
  };
}
