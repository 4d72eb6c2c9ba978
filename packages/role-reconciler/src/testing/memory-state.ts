import type { Clock, LedgerRow, SyncEntry, SyncItem, SyncOutcome } from "../ports";
import {
  DUE_AT_ONCE_MS,
  holdsLease,
  type MemoryMemberRow,
  type MemorySyncRow,
  newSyncRow,
} from "./memory-rows";

/** The tables of the memory store, shared by its ports. */
export interface MemoryState {
  clock: Clock;
  members: Map<string, MemoryMemberRow>;
  sync: Map<string, MemorySyncRow>;
  grants: Map<string, LedgerRow>;
  calls: Record<string, number>;
  applied: string | null;
}

/** Empty tables. */
export function createMemoryState(clock: Clock): MemoryState {
  return { clock, members: new Map(), sync: new Map(), grants: new Map(), calls: {}, applied: null };
}

/** Counts a port call (and honours an aborted signal, as the SQL stores do). */
export function enter(state: MemoryState, name: string, signal?: AbortSignal): void {
  state.calls[name] = (state.calls[name] ?? 0) + 1;
  signal?.throwIfAborted();
}

/** Marks a row due as the SQL triggers do: at the epoch, dirty, version bumped, `markedAt` now. */
export function markRowDue(state: MemoryState, row: MemorySyncRow): void {
  row.nextDueAt = DUE_AT_ONCE_MS;
  row.dirty = true;
  row.version += 1;
  row.markedAt = state.clock.now().getTime();
}

/** Marks a member due, creating its sync row. */
export function markMemberDue(state: MemoryState, memberId: string): void {
  const row = state.sync.get(memberId) ?? newSyncRow(memberId);
  markRowDue(state, row);
  state.sync.set(memberId, row);
}

/** A sync row and its member as the port's entry. */
export function entryOf(state: MemoryState, row: MemorySyncRow, columns: readonly string[]): SyncEntry {
  const member = state.members.get(row.memberId) ?? null;
  const attributes: Record<string, unknown> = {};
  for (const c of columns) attributes[c] = member?.attrs[c];
  const due = row.dirty ? (row.markedAt ?? row.nextDueAt) : row.nextDueAt;
  return {
    memberId: row.memberId,
    discordUserId: member?.discordUserId ?? null,
    deleted: member === null,
    attributes,
    profile: { displayName: member?.displayName ?? null, avatarHash: member?.avatarHash ?? null },
    attempts: row.attempts,
    state: row.state,
    dirty: row.dirty,
    dueAt: new Date(due ?? state.clock.now().getTime()),
    version: row.version,
  };
}

/** Records an outcome while the lease holds (see `SyncQueue.complete`). */
export function recordOutcome(state: MemoryState, item: SyncItem, outcome: SyncOutcome): boolean {
  const row = state.sync.get(item.memberId);
  if (!row || !holdsLease(row, item)) return false;
  const moved = row.version !== item.version;
  if (outcome.forget && !moved) {
    state.sync.delete(item.memberId);
    return true;
  }
  row.state = outcome.state;
  row.attempts = outcome.attempts;
  row.lastError = outcome.lastError;
  row.checkedAt = outcome.checkedAt.getTime();
  row.leaseOwner = null;
  row.leaseExpiresAt = null;
  if (!moved) {
    row.nextDueAt = outcome.nextDueAt?.getTime() ?? null;
    row.dirty = false;
  }
  return true;
}
