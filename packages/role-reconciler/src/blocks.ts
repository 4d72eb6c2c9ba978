/** What a permanent failure blocks: one role, the whole guild, or bulk listing. */
export type BlockScope = { kind: "role"; roleId: string } | { kind: "guild" } | { kind: "bulk" };

/** An active or expired block. */
export interface Block {
  scope: BlockScope;
  reason: string;
  since: Date;
  /** Until then no call is made for this scope; afterwards one call probes it. */
  until: Date;
  /** Set once the members that failed for it were re-marked for the probe. */
  probeScheduled: boolean;
}

/**
 * Remembers permanent failures so they are not hammered: while a block is active no call is made
 * for its scope (members needing it are recorded as `permanent_error` with the reason). When it
 * expires, the next call is a probe; if it succeeds the block is cleared and the caller re-marks
 * the members that failed for it, so fixing the guild settings takes effect within `probeMs`
 * instead of a full sync interval. 10,000 invalid requests in 10 minutes get a bot banned; this
 * keeps a broken role at one request per `probeMs`.
 */
export interface BlockList {
  /** Blocks `scope`; resolves `true` when it was not already blocked (log it once). */
  block(scope: BlockScope, reason: string, now: Date): boolean;
  /** The active block for `scope` at `now`, or `null` (none, or expired: a probe may go). */
  active(scope: BlockScope, now: Date): Block | null;
  /**
   * Expired blocks whose probe is not scheduled yet; marks them scheduled (the caller re-marks the
   * members that failed, so one of them makes the probe call).
   */
  takeExpired(now: Date): Block[];
  /** A call for `scope` succeeded; resolves `true` when a block existed (it is now cleared). */
  clear(scope: BlockScope): boolean;
  /** Every block, active or awaiting its probe. */
  list(): Block[];
  /** Forgets everything (settings changed). */
  reset(): void;
}

function keyOf(scope: BlockScope): string {
  return scope.kind === "role" ? `role:${scope.roleId}` : scope.kind;
}

/** Creates a {@link BlockList} whose blocks last `probeMs` before a probe. */
export function createBlockList(opts: { probeMs: number }): BlockList {
  const blocks = new Map<string, Block>();
  return {
    block(scope, reason, now) {
      const key = keyOf(scope);
      const existing = blocks.get(key);
      blocks.set(key, {
        scope,
        reason,
        since: existing?.since ?? now,
        until: new Date(now.getTime() + opts.probeMs),
        probeScheduled: false,
      });
      return !existing;
    },
    active(scope, now) {
      const block = blocks.get(keyOf(scope));
      return block && block.until.getTime() > now.getTime() ? block : null;
    },
    takeExpired(now) {
      const expired: Block[] = [];
      for (const block of blocks.values()) {
        if (block.probeScheduled || block.until.getTime() > now.getTime()) continue;
        block.probeScheduled = true;
        expired.push(block);
      }
      return expired;
    },
    clear(scope) {
      return blocks.delete(keyOf(scope));
    },
    list() {
      return [...blocks.values()];
    },
    reset() {
      blocks.clear();
    },
  };
}
