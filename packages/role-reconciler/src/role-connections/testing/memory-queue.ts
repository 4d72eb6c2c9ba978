import type { IoOptions } from "@guildkit/core";
import type {
  RoleConnectionEntry,
  RoleConnectionItem,
  RoleConnectionQueue,
  RoleConnectionState,
} from "../ports";
import { type MetadataValues, metadataFingerprint } from "../values";

/** A row of the memory queue (times in epoch ms). */
export interface MemoryRoleConnectionRow {
  memberId: string;
  discordUserId: string | null;
  desired: string | null;
  pushed: string | null;
  state: RoleConnectionState | null;
  attempts: number;
  lastError: string | null;
  nextDueAt: number | null;
  pushedAt: number | null;
  version: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

/** The memory {@link RoleConnectionQueue}, with its rows for assertions. */
export interface MemoryRoleConnectionQueue extends RoleConnectionQueue {
  readonly rows: Map<string, MemoryRoleConnectionRow>;
}

const parse = (text: string | null): MetadataValues | null => (text === null ? null : JSON.parse(text));
const date = (ms: number | null) => (ms === null ? null : new Date(ms));

function entryOf(row: MemoryRoleConnectionRow): RoleConnectionEntry {
  return {
    memberId: row.memberId,
    discordUserId: row.discordUserId,
    desired: parse(row.desired),
    pushed: parse(row.pushed),
    state: row.state,
    attempts: row.attempts,
    lastError: row.lastError,
    nextDueAt: date(row.nextDueAt),
    pushedAt: date(row.pushedAt),
    version: row.version,
  };
}

const enter = (io?: IoOptions) => io?.signal?.throwIfAborted();

/** Member ids compare as numbers when both are integers (as the SQL stores order them), else as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * An in-memory role connection queue, held to the same conformance cases as the SQL stores
 * (`tools/store-testkit`).
 */
export function createMemoryRoleConnectionQueue(): MemoryRoleConnectionQueue {
  const rows = new Map<string, MemoryRoleConnectionRow>();
  const holds = (item: RoleConnectionItem) => {
    const row = rows.get(item.memberId);
    return row && row.leaseOwner === item.leaseOwner && row.leaseExpiresAt === item.leaseExpiresAt.getTime()
      ? row
      : null;
  };
  return {
    rows,
    async setDesired({ entries, now }, io) {
      enter(io);
      let changed = 0;
      for (const entry of entries) {
        const desired = metadataFingerprint(entry.desired);
        const row = rows.get(entry.memberId);
        if (!row) {
          if (desired === null) continue;
          rows.set(entry.memberId, {
            memberId: entry.memberId,
            discordUserId: entry.discordUserId,
            desired,
            pushed: null,
            state: null,
            attempts: 0,
            lastError: null,
            nextDueAt: now.getTime(),
            pushedAt: null,
            version: 1,
            leaseOwner: null,
            leaseExpiresAt: null,
          });
          changed += 1;
          continue;
        }
        if (row.desired === desired && row.discordUserId === entry.discordUserId) continue;
        row.desired = desired;
        row.discordUserId = entry.discordUserId;
        row.version += 1;
        const backingOff =
          row.state === "retrying" && row.nextDueAt !== null && row.nextDueAt > now.getTime();
        if (!backingOff) row.nextDueAt = now.getTime();
        changed += 1;
      }
      return changed;
    },
    async claimDue({ owner, leaseMs, limit, now }, io) {
      enter(io);
      const t = now.getTime();
      const due = [...rows.values()]
        .filter(
          (r) =>
            r.nextDueAt !== null &&
            r.nextDueAt <= t &&
            (r.leaseOwner === null || (r.leaseExpiresAt ?? 0) <= t),
        )
        .sort((a, b) => (a.nextDueAt ?? 0) - (b.nextDueAt ?? 0) || compareIds(a.memberId, b.memberId))
        .slice(0, limit);
      return due.map((row) => {
        row.leaseOwner = owner;
        row.leaseExpiresAt = t + leaseMs;
        return { ...entryOf(row), leaseOwner: owner, leaseExpiresAt: new Date(row.leaseExpiresAt) };
      });
    },
    async complete(item, outcome, io) {
      enter(io);
      const row = holds(item);
      if (!row) return false;
      row.state = outcome.state;
      row.attempts = outcome.attempts;
      row.lastError = outcome.lastError;
      if (outcome.pushed !== undefined) {
        row.pushed = metadataFingerprint(outcome.pushed);
        row.pushedAt = (outcome.pushedAt ?? new Date()).getTime();
      }
      // A change recorded during the lease already made the row due (setDesired): keep that.
      if (row.version === item.version) row.nextDueAt = outcome.nextDueAt?.getTime() ?? null;
      row.leaseOwner = null;
      row.leaseExpiresAt = null;
      return true;
    },
    async release(item, io) {
      enter(io);
      const row = holds(item);
      if (!row) return false;
      row.leaseOwner = null;
      row.leaseExpiresAt = null;
      return true;
    },
    async markDue({ now, memberIds, states }, io) {
      enter(io);
      let n = 0;
      for (const row of rows.values()) {
        const byId = memberIds?.includes(row.memberId) ?? false;
        const byState = row.state !== null && (states?.includes(row.state) ?? false);
        if (!byId && !byState) continue;
        row.nextDueAt = now.getTime();
        n += 1;
      }
      return n;
    },
    async get({ memberId }, io) {
      enter(io);
      const row = rows.get(memberId);
      return row ? entryOf(row) : null;
    },
    async countDue({ now }, io) {
      enter(io);
      return [...rows.values()].filter((r) => r.nextDueAt !== null && r.nextDueAt <= now.getTime()).length;
    },
    async countByState(io) {
      enter(io);
      const counts: Partial<Record<RoleConnectionState, number>> = {};
      for (const row of rows.values()) if (row.state) counts[row.state] = (counts[row.state] ?? 0) + 1;
      return counts;
    },
  };
}
