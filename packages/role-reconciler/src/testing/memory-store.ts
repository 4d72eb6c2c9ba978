import type { Clock, GrantLedger, LinkedMembers, MemberProfiles, SyncQueue } from "../ports";
import { createMemoryLedger, createMemoryLinkedMembers, createMemoryProfiles } from "./memory-members";
import { createMemoryQueue } from "./memory-queue";
import type { MemoryMemberRow, MemorySyncRow } from "./memory-rows";
import { createMemoryState, markMemberDue, markRowDue } from "./memory-state";

/** The role-sync ports in memory, with the host's writes and backdoor reads for tests. */
export interface MemoryRoleSyncStore {
  readonly queue: SyncQueue;
  readonly ledger: GrantLedger;
  readonly linkedMembers: LinkedMembers;
  readonly profiles: MemberProfiles;
  /** The host's member rows, by id (a backdoor: writes here mark nothing due). */
  readonly members: Map<string, MemoryMemberRow>;
  /** The sync rows, by member id (a backdoor). */
  readonly sync: Map<string, MemorySyncRow>;
  /** Port calls so far, by method (`claimDue`, `ledger.add`…). */
  readonly calls: Record<string, number>;
  /** Inserts a member; a linked one is marked due (as the SQL insert trigger does). */
  insertMember(m: { id: string; discordUserId?: string | null; attrs?: Record<string, unknown> }): void;
  /** Updates a member; any actual change (NULL ↔ value included) marks it due. */
  updateMember(id: string, patch: { discordUserId?: string | null; attrs?: Record<string, unknown> }): void;
  /** Deletes a member; its sync row stays, marked due, so its roles can be revoked. */
  deleteMember(id: string): void;
  /** The sync row of a member, or `undefined`. */
  row(memberId: string): MemorySyncRow | undefined;
  /** Every grant as a sorted `member|account|role` string. */
  grantKeys(): string[];
  /** Every grant as a sorted `member|account|role|origin|lapsed` string (lapse as ISO time or `null`). */
  grantDetails(): string[];
  /** The applied-settings fingerprint (`SyncQueue.appliedSettings`). */
  applied(): string | null;
}

/**
 * An in-memory role-sync store with the semantics of the SQL stores — and checked against them by
 * the same conformance kits (`tools/store-testkit`, `defineSyncQueueCases` and friends): member
 * writes mark the member due as the database triggers do (at the epoch, dirty, version bumped),
 * claims lease oldest due first, completes are conditional on the lease and keep a member due when
 * its version moved, the look-ahead skips members in backoff. For tests of the reconciler and of
 * hosts' own code; not a production store (nothing persists).
 */
export function createMemoryRoleSyncStore(opts: { clock: Clock }): MemoryRoleSyncStore {
  const state = createMemoryState(opts.clock);
  const { members, sync } = state;
  return {
    queue: createMemoryQueue(state),
    ledger: createMemoryLedger(state),
    linkedMembers: createMemoryLinkedMembers(state),
    profiles: createMemoryProfiles(state),
    members,
    sync,
    calls: state.calls,
    insertMember(m) {
      members.set(m.id, {
        id: m.id,
        discordUserId: m.discordUserId ?? null,
        attrs: { ...m.attrs },
        displayName: null,
        avatarHash: null,
        avatarBytes: null,
      });
      if (m.discordUserId) markMemberDue(state, m.id);
    },
    updateMember(id, patch) {
      const row = members.get(id);
      if (!row) throw new Error(`no member ${id}`);
      const wasLinked = row.discordUserId !== null;
      let changed = false;
      if (patch.discordUserId !== undefined && patch.discordUserId !== row.discordUserId) {
        row.discordUserId = patch.discordUserId;
        changed = true;
      }
      for (const [column, value] of Object.entries(patch.attrs ?? {})) {
        if (!Object.is(row.attrs[column], value)) {
          row.attrs[column] = value;
          changed = true;
        }
      }
      // As the update trigger: only members linked before or after the change.
      if (changed && (wasLinked || row.discordUserId !== null)) markMemberDue(state, id);
    },
    deleteMember(id) {
      members.delete(id);
      const row = sync.get(id);
      if (row) markRowDue(state, row);
    },
    row: (memberId) => sync.get(memberId),
    grantKeys: () => [...state.grants.keys()].sort(),
    grantDetails: () =>
      [...state.grants.entries()]
        .map(([key, g]) => `${key}|${g.origin}|${g.lapsedAt?.toISOString() ?? null}`)
        .sort(),
    applied: () => state.applied,
  };
}
