import type { SyncItem, SyncQueue } from "../ports";
import type { MemberResult, RunSummary } from "./summary";

/**
 * Gives claims back. Claims this worker still holds but could neither record nor release (the
 * database went away mid-round) are kept as stranded and given back at the start of the next
 * round, so the members are not stuck behind this worker's own lease until it expires.
 */
export interface ClaimReturns {
  /** Releases each item (counted as released, reported to `onMember`); one that fails is stranded. */
  release(
    items: readonly SyncItem[],
    summary: RunSummary,
    onMember?: (result: MemberResult) => void,
  ): Promise<void>;
  /** Keeps an item to give back at the next round. */
  strand(item: SyncItem): void;
  /** Gives back the stranded claims; rejects (failing the round) while the database is away. */
  giveBack(signal?: AbortSignal): Promise<void>;
}

/** Creates the claim returns of one reconciler. */
export function createClaimReturns(queue: Pick<SyncQueue, "release">): ClaimReturns {
  const stranded = new Map<string, SyncItem>();
  return {
    async release(items, summary, onMember) {
      for (const item of items) {
        try {
          await queue.release(item);
        } catch {
          // Given back at the next round (else the lease expires on its own).
          stranded.set(item.memberId, item);
        }
        summary.released += 1;
        onMember?.({ memberId: item.memberId, state: "released", added: 0, removed: 0, error: null });
      }
    },
    strand(item) {
      stranded.set(item.memberId, item);
    },
    async giveBack(signal) {
      for (const [memberId, item] of stranded) {
        await queue.release(item, { signal });
        stranded.delete(memberId);
      }
    },
  };
}
