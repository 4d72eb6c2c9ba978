import type { SyncState } from "../ports";

/** A host member row, as the memory store keeps it (the `members` table of the SQL stores). */
export interface MemoryMemberRow {
  id: string;
  discordUserId: string | null;
  /** Entitlement inputs by column name (`payment_status`, `tier`…). */
  attrs: Record<string, unknown>;
  displayName: string | null;
  avatarHash: string | null;
  avatarBytes: Uint8Array | null;
}

/** A sync row (the `role_sync_state` table of the SQL stores); times in ms since the epoch. */
export interface MemorySyncRow {
  memberId: string;
  /** `0` (the epoch) when a change marked the member, so it sorts before every scheduled re-check. */
  nextDueAt: number | null;
  dirty: boolean;
  /** When a change last marked the member. */
  markedAt: number | null;
  version: number;
  attempts: number;
  state: SyncState | null;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  checkedAt: number | null;
}

/** `next_due_at` of a member marked by a change, as the SQL triggers write it. */
export const DUE_AT_ONCE_MS = 0;

/** A fresh sync row, never checked and not due. */
export function newSyncRow(memberId: string): MemorySyncRow {
  return {
    memberId,
    nextDueAt: null,
    dirty: false,
    markedAt: null,
    version: 0,
    attempts: 0,
    state: null,
    lastError: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    checkedAt: null,
  };
}

/** Orders member ids as the SQL stores' integer ids sort (numerically when both are digits). */
export function compareMemberIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Due at `now`, or by `dueBy` (a bulk pass's look-ahead) unless in backoff: a `retrying` member
 * waits for its retry time.
 */
export function isDue(row: MemorySyncRow, now: number, dueBy: number): boolean {
  if (row.nextDueAt === null || row.nextDueAt > dueBy) return false;
  return row.nextDueAt <= now || (row.state !== "retrying" && row.state !== "grace");
}

/** True while `owner`'s lease (as claimed) still holds the row. */
export function holdsLease(
  row: MemorySyncRow | undefined,
  item: { leaseOwner: string; leaseExpiresAt: Date },
): boolean {
  return (
    row !== undefined &&
    row.leaseOwner === item.leaseOwner &&
    row.leaseExpiresAt === item.leaseExpiresAt.getTime()
  );
}
