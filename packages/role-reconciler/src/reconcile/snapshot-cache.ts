import { type GuildSnapshot, listGuildSnapshot } from "../bulk";
import type { GuildGateway } from "../ports";
import type { Engine } from "./engine";
import type { RunSummary } from "./summary";

/**
 * The guild listing a bulk round works from, kept between rounds for `snapshotMaxAgeMs`, and what
 * listings taught about the guild's size (the cost model's input).
 */
export interface SnapshotCache {
  /** Members seen in the guild by the last listing (a lower bound when it was abandoned); `null` unknown. */
  readonly guildSizeEstimate: number | null;
  /** The cached listing of `guildId` when still young enough at `now`, else `null`. */
  fresh(guildId: string, now: Date): GuildSnapshot | null;
  /**
   * Drops the cached listing and lists the guild again, counting its pages as Discord calls;
   * resolves `null` when the listing was abandoned (dearer than reading the due members). Rejects
   * with the listing's error.
   */
  list(
    opts: { gateway: GuildGateway; guildId: string; maxPages: number; summary: RunSummary },
    signal?: AbortSignal,
  ): Promise<GuildSnapshot | null>;
  /** Keeps a listing for the next rounds. */
  keep(snapshot: GuildSnapshot): void;
  /** Drops the cached listing (settings changed). */
  reset(): void;
  /** Forgets the guild size too (the guild changed). */
  forgetSize(): void;
}

/** Creates the cache. */
export function createSnapshotCache(engine: Engine): SnapshotCache {
  let snapshot: GuildSnapshot | null = null;
  let guildSizeEstimate: number | null = null;
  return {
    get guildSizeEstimate() {
      return guildSizeEstimate;
    },
    fresh(guildId, now) {
      const young =
        snapshot !== null &&
        snapshot.guildId === guildId &&
        now.getTime() - snapshot.takenAt.getTime() < engine.options.snapshotMaxAgeMs;
      return young ? snapshot : null;
    },
    async list({ gateway, guildId, maxPages, summary }, signal) {
      snapshot = null;
      const listing = await listGuildSnapshot(
        {
          gateway,
          guildId,
          clock: engine.clock,
          pageSize: engine.options.pageSize,
          maxPages,
          onPage: () => {
            summary.discordCalls += 1;
            summary.listedPages += 1;
          },
        },
        { signal },
      );
      if (!listing.snapshot) {
        guildSizeEstimate = Math.max(guildSizeEstimate ?? 0, listing.seen);
        return null;
      }
      guildSizeEstimate = listing.snapshot.members.size;
      return listing.snapshot;
    },
    keep(next) {
      snapshot = next;
    },
    reset() {
      snapshot = null;
    },
    forgetSize() {
      guildSizeEstimate = null;
    },
  };
}
