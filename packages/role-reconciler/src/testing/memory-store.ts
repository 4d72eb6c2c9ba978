import type {
  Clock,
  Grant,
  GrantLedger,
  LinkedMembers,
  MemberProfiles,
  SyncEntry,
  SyncItem,
  SyncOutcome,
  SyncQueue,
} from "../ports";
import {
  compareMemberIds,
  DUE_AT_ONCE_MS,
  holdsLease,
  isDue,
  type MemoryMemberRow,
  type MemorySyncRow,
  newSyncRow,
} from "./memory-rows";

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
  const { clock } = opts;
  const members = new Map<string, MemoryMemberRow>();
  const sync = new Map<string, MemorySyncRow>();
  const grants = new Map<string, Grant>();
  const calls: Record<string, number> = {};
  let applied: string | null = null;
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const nowMs = () => clock.now().getTime();

  function markDue(row: MemorySyncRow): void {
    row.nextDueAt = DUE_AT_ONCE_MS;
    row.dirty = true;
    row.version += 1;
    row.markedAt = nowMs();
  }

  function markMember(memberId: string): void {
    const row = sync.get(memberId) ?? newSyncRow(memberId);
    markDue(row);
    sync.set(memberId, row);
  }

  function entry(row: MemorySyncRow, columns: readonly string[]): SyncEntry {
    const member = members.get(row.memberId) ?? null;
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
      dueAt: new Date(due ?? nowMs()),
      version: row.version,
    };
  }

  function record(item: SyncItem, outcome: SyncOutcome): boolean {
    const row = sync.get(item.memberId);
    if (!row || !holdsLease(row, item)) return false;
    const moved = row.version !== item.version;
    if (outcome.forget && !moved) {
      sync.delete(item.memberId);
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

  function claim(opts: Parameters<SyncQueue["claimDue"]>[0]): SyncItem[] {
    const now = opts.now.getTime();
    const dueBy = (opts.dueBy ?? opts.now).getTime();
    const byDue = (a: MemorySyncRow, b: MemorySyncRow) =>
      (a.nextDueAt ?? 0) - (b.nextDueAt ?? 0) || compareMemberIds(a.memberId, b.memberId);
    const picked = [...sync.values()]
      .filter((r) => isDue(r, now, dueBy) && (r.leaseOwner === null || (r.leaseExpiresAt ?? 0) <= now))
      .sort(byDue)
      .slice(0, opts.limit);
    return picked.map((row): SyncItem => {
      row.leaseOwner = opts.owner;
      row.leaseExpiresAt = now + opts.leaseMs;
      return {
        ...entry(row, opts.columns),
        leaseOwner: opts.owner,
        leaseExpiresAt: new Date(row.leaseExpiresAt),
      };
    });
  }

  function scheduleFullPass(now: number, checkedBefore: number): number {
    let n = 0;
    for (const member of members.values()) {
      if (!member.discordUserId) continue;
      let row = sync.get(member.id);
      if (!row) {
        row = newSyncRow(member.id);
        sync.set(member.id, row);
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

  const queue: SyncQueue = {
    claimDue: async (opts, io) => {
      count("claimDue");
      io?.signal?.throwIfAborted();
      return claim(opts);
    },
    complete: async (item, outcome, io) => {
      count("complete");
      io?.signal?.throwIfAborted();
      return record(item, outcome);
    },
    completeMany: async (results, io) => {
      count("completeMany");
      io?.signal?.throwIfAborted();
      return results.filter(({ item, outcome }) => record(item, outcome)).length;
    },
    release: async (item, io) => {
      count("release");
      io?.signal?.throwIfAborted();
      const row = sync.get(item.memberId);
      if (!row || !holdsLease(row, item)) return false;
      row.leaseOwner = null;
      row.leaseExpiresAt = null;
      return true;
    },
    markDue: async (opts, io) => {
      count("markDue");
      io?.signal?.throwIfAborted();
      let n = 0;
      for (const row of sync.values()) {
        const byId = opts.memberIds?.includes(row.memberId) ?? false;
        const byState = row.state !== null && (opts.states?.includes(row.state) ?? false);
        if (!byId && !byState) continue;
        markDue(row);
        row.markedAt = opts.now.getTime();
        n += 1;
      }
      return n;
    },
    scheduleFullPass: async (opts, io) => {
      count("scheduleFullPass");
      io?.signal?.throwIfAborted();
      return scheduleFullPass(opts.now.getTime(), opts.checkedBefore.getTime());
    },
    countDue: async (opts, io) => {
      count("countDue");
      io?.signal?.throwIfAborted();
      const now = opts.now.getTime();
      const dueBy = (opts.dueBy ?? opts.now).getTime();
      return [...sync.values()].filter((r) => isDue(r, now, dueBy)).length;
    },
    appliedSettings: async (io) => {
      count("appliedSettings");
      io?.signal?.throwIfAborted();
      return applied;
    },
    saveAppliedSettings: async (opts, io) => {
      count("saveAppliedSettings");
      io?.signal?.throwIfAborted();
      applied = opts.fingerprint;
    },
    scan: async (opts, io) => {
      count("scan");
      io?.signal?.throwIfAborted();
      return [...sync.values()]
        .sort((a, b) => compareMemberIds(a.memberId, b.memberId))
        .filter((r) => opts.after === null || compareMemberIds(r.memberId, opts.after) > 0)
        .slice(0, opts.limit)
        .map((r) => entry(r, opts.columns));
    },
  };

  const key = (g: Grant) => `${g.memberId}|${g.discordUserId}|${g.roleId}`;
  const ledger: GrantLedger = {
    list: async (opts, io) => {
      count("ledger.list");
      io?.signal?.throwIfAborted();
      return [...grants.values()].filter((g) => opts.memberIds.includes(g.memberId)).map((g) => ({ ...g }));
    },
    add: async (opts, io) => {
      count("ledger.add");
      io?.signal?.throwIfAborted();
      for (const g of opts.grants)
        grants.set(key(g), { memberId: g.memberId, discordUserId: g.discordUserId, roleId: g.roleId });
    },
    remove: async (opts, io) => {
      count("ledger.remove");
      io?.signal?.throwIfAborted();
      for (const g of opts.grants) grants.delete(key(g));
    },
  };

  const linkedMembers: LinkedMembers = {
    findByDiscordIds: async (opts, io) => {
      count("findByDiscordIds");
      io?.signal?.throwIfAborted();
      return [...members.values()]
        .filter((m) => m.discordUserId !== null && opts.discordUserIds.includes(m.discordUserId))
        .map((m) => {
          const attributes: Record<string, unknown> = {};
          for (const c of opts.columns) attributes[c] = m.attrs[c];
          return { memberId: m.id, discordUserId: m.discordUserId!, attributes };
        });
    },
  };

  const profiles: MemberProfiles = {
    save: async (update, io) => {
      count("profiles.save");
      io?.signal?.throwIfAborted();
      const row = members.get(update.memberId);
      if (!row) return;
      row.displayName = update.displayName;
      if (update.avatar) {
        row.avatarHash = update.avatar.hash;
        row.avatarBytes = update.avatar.bytes ? new Uint8Array(update.avatar.bytes) : null;
      }
    },
  };

  return {
    queue,
    ledger,
    linkedMembers,
    profiles,
    members,
    sync,
    calls,
    insertMember(m) {
      members.set(m.id, {
        id: m.id,
        discordUserId: m.discordUserId ?? null,
        attrs: { ...m.attrs },
        displayName: null,
        avatarHash: null,
        avatarBytes: null,
      });
      if (m.discordUserId) markMember(m.id);
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
      if (changed && (wasLinked || row.discordUserId !== null)) markMember(id);
    },
    deleteMember(id) {
      members.delete(id);
      const row = sync.get(id);
      if (row) markDue(row);
    },
    row: (memberId) => sync.get(memberId),
    grantKeys: () => [...grants.keys()].sort(),
    applied: () => applied,
  };
}
