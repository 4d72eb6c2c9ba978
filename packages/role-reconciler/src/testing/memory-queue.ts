import type { ClaimOptions, SyncItem, SyncQueue } from "../ports";
import { compareMemberIds, holdsLease, isDue, type MemorySyncRow, newSyncRow } from "./memory-rows";
import { enter, entryOf, type MemoryState, markRowDue, recordOutcome } from "./memory-state";

/** Leases up to `limit` due members with a free or expired lease, oldest due first (as the SQL claim). */
function claim(state: MemoryState, opts: ClaimOptions): SyncItem[] {
  const now = opts.now.getTime();
  const dueBy = (opts.dueBy ?? opts.now).getTime();
  const byDue = (a: MemorySyncRow, b: MemorySyncRow) =>
    (a.nextDueAt ?? 0) - (b.nextDueAt ?? 0) || compareMemberIds(a.memberId, b.memberId);
  const picked = [...state.sync.values()]
    .filter((r) => isDue(r, now, dueBy) && (r.leaseOwner === null || (r.leaseExpiresAt ?? 0) <= now))
    .sort(byDue)
    .slice(0, opts.limit);
  return picked.map((row): SyncItem => {
    row.leaseOwner = opts.owner;
    row.leaseExpiresAt = now + opts.leaseMs;
    return {
      ...entryOf(state, row, opts.columns),
      leaseOwner: opts.owner,
      leaseExpiresAt: new Date(row.leaseExpiresAt),
    };
  });
}

/** The full pass: rows for linked members that lack one; due now unless checked since, due sooner, or in backoff. */
function scheduleFullPass(state: MemoryState, now: number, checkedBefore: number): number {
  let n = 0;
  for (const member of state.members.values()) {
    if (!member.discordUserId) continue;
    let row = state.sync.get(member.id);
    if (!row) {
      row = newSyncRow(member.id);
      state.sync.set(member.id, row);
    }
    const stale = row.checkedAt === null || row.checkedAt < checkedBefore;
    const notDue = row.nextDueAt === null || (row.nextDueAt > now && row.state !== "retrying");
    if (stale && notDue) {
      row.nextDueAt = now;
      n += 1;
    }
  }
  return n;
}

/** The memory store's {@link SyncQueue}. */
export function createMemoryQueue(state: MemoryState): SyncQueue {
  const queue: SyncQueue = {
    claimDue: async (opts, io) => {
      enter(state, "claimDue", io?.signal);
      return claim(state, opts);
    },
    complete: async (item, outcome, io) => {
      enter(state, "complete", io?.signal);
      return recordOutcome(state, item, outcome);
    },
    completeMany: async (results, io) => {
      enter(state, "completeMany", io?.signal);
      return results.filter(({ item, outcome }) => recordOutcome(state, item, outcome)).length;
    },
    release: async (item, io) => {
      enter(state, "release", io?.signal);
      const row = state.sync.get(item.memberId);
      if (!row || !holdsLease(row, item)) return false;
      row.leaseOwner = null;
      row.leaseExpiresAt = null;
      return true;
    },
    markDue: async (opts, io) => {
      enter(state, "markDue", io?.signal);
      let n = 0;
      for (const row of state.sync.values()) {
        const byId = opts.memberIds?.includes(row.memberId) ?? false;
        const byState = row.state !== null && (opts.states?.includes(row.state) ?? false);
        if (!byId && !byState) continue;
        markRowDue(state, row);
        row.markedAt = opts.now.getTime();
        n += 1;
      }
      return n;
    },
    scheduleFullPass: async (opts, io) => {
      enter(state, "scheduleFullPass", io?.signal);
      return scheduleFullPass(state, opts.now.getTime(), opts.checkedBefore.getTime());
    },
    countDue: async (opts, io) => {
      enter(state, "countDue", io?.signal);
      const now = opts.now.getTime();
      const dueBy = (opts.dueBy ?? opts.now).getTime();
      return [...state.sync.values()].filter((r) => isDue(r, now, dueBy)).length;
    },
    appliedSettings: async (io) => {
      enter(state, "appliedSettings", io?.signal);
      return state.applied;
    },
    saveAppliedSettings: async (opts, io) => {
      enter(state, "saveAppliedSettings", io?.signal);
      state.applied = opts.fingerprint;
    },
    scan: async (opts, io) => {
      enter(state, "scan", io?.signal);
      return [...state.sync.values()]
        .sort((a, b) => compareMemberIds(a.memberId, b.memberId))
        .filter((r) => opts.after === null || compareMemberIds(r.memberId, opts.after) > 0)
        .slice(0, opts.limit)
        .map((r) => entryOf(state, r, opts.columns));
    },
  };
  return queue;
}
