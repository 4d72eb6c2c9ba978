import type { IoOptions } from "./ports";

/**
 * Discord's hidden per-channel message limit, shared by every webhook posting into a channel: about
 * 30 messages per 60 s beyond each webhook's own 5 per 2 s (discord-api-docs#367, #1454). Past it,
 * Discord answers 429 with `X-RateLimit-Scope: shared` and code 20028.
 *
 * @see https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
 */
export const DEFAULT_CHANNEL_LIMIT: Readonly<ChannelLimit> = { limit: 30, windowMs: 60_000 };

/**
 * Added to the window by {@link createChannelBudget}: a message's arrival at Discord trails its
 * send by the network's latency, and a later message may arrive faster than an earlier one did.
 */
export const CHANNEL_WINDOW_MARGIN_MS = 1_000;

/** Messages allowed in a channel per window. */
export interface ChannelLimit {
  limit: number;
  windowMs: number;
}

/**
 * The message budget of Discord channels, shared by every webhook posting into one. The delivery
 * worker reserves a message before each post and skips the post (the event waits) when the channel
 * has none; {@link createChannelBudget} keeps it in the process, another implementation may keep it
 * where several workers see it.
 */
export interface ChannelBudget {
  /**
   * Takes one message of `channelId`'s budget at `now`: resolves `0` when taken, otherwise the ms
   * until one is free (nothing taken).
   */
  reserve(opts: { channelId: string; now: Date }, io?: IoOptions): Promise<number>;
  /** No message goes to `channelId` before `until` (Discord answered a 429 for it). */
  block(opts: { channelId: string; until: Date }, io?: IoOptions): Promise<void>;
}

/** What {@link createChannelBudget} accepts. */
export interface ChannelBudgetOptions extends Partial<ChannelLimit> {
  /** Added to `windowMs` (default {@link CHANNEL_WINDOW_MARGIN_MS}). */
  marginMs?: number;
}

/**
 * A channel budget held in this process: a sliding window of the last `limit` reservations per
 * channel, `windowMs + marginMs` long, so any window of Discord's (fixed, opened by a channel's first
 * message) sees at most `limit` of them. Channels idle for a window are forgotten.
 */
export function createChannelBudget(options: ChannelBudgetOptions = {}): ChannelBudget {
  const limit = options.limit ?? DEFAULT_CHANNEL_LIMIT.limit;
  const windowMs =
    (options.windowMs ?? DEFAULT_CHANNEL_LIMIT.windowMs) + (options.marginMs ?? CHANNEL_WINDOW_MARGIN_MS);
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`channel limit must be a positive integer, got ${limit}`);
  if (!(windowMs > 0)) throw new RangeError(`channel window must be positive, got ${windowMs}`);
  /** Per channel: reservation times (ms), oldest first, and a block until (ms). */
  const channels = new Map<string, { times: number[]; blockedUntil: number }>();
  let sweepAt = 0;

  const sweep = (t: number) => {
    if (channels.size < 1_000 || t < sweepAt) return;
    for (const [id, c] of channels) {
      if (c.blockedUntil <= t && (c.times.at(-1) ?? 0) + windowMs <= t) channels.delete(id);
    }
    sweepAt = t + windowMs;
  };

  return {
    async reserve({ channelId, now }) {
      const t = now.getTime();
      sweep(t);
      const channel = channels.get(channelId) ?? { times: [], blockedUntil: 0 };
      channels.set(channelId, channel);
      if (channel.blockedUntil > t) return channel.blockedUntil - t;
      while (channel.times.length > 0 && (channel.times[0] as number) + windowMs <= t) channel.times.shift();
      if (channel.times.length >= limit) return (channel.times[0] as number) + windowMs - t;
      channel.times.push(t);
      return 0;
    },
    async block({ channelId, until }) {
      const channel = channels.get(channelId) ?? { times: [], blockedUntil: 0 };
      channel.blockedUntil = Math.max(channel.blockedUntil, until.getTime());
      channels.set(channelId, channel);
    },
  };
}
