import type { SessionStore, StoredSession } from "./ports";

/** An in-process {@link SessionStore}; adds `peek` and `size` for inspection. */
export interface MemorySessionStore extends SessionStore {
  /** The stored row of `idHash`, expired or not (`null` when absent): a backdoor read for tests. */
  peek(idHash: string): StoredSession | null;
  /** How many sessions are stored (expired ones until purged). */
  size(): number;
}

/**
 * A {@link SessionStore} in a `Map`, for tests and a single process (sessions end with the process; with
 * several server processes use the SQLite or Postgres store). Deleting a member is the host's business
 * here: call `revokeMember` when you do.
 */
export function createMemorySessionStore(): MemorySessionStore {
  const rows = new Map<string, StoredSession>();
  const live = (idHash: string, now: Date) => {
    const row = rows.get(idHash);
    return row !== undefined && row.expiresAt.getTime() > now.getTime() ? row : null;
  };
  return {
    async create({ idHash, memberId, createdAt, expiresAt }) {
      if (rows.has(idHash)) throw new Error("a session with this id hash already exists");
      rows.set(idHash, { memberId, createdAt, lastSeenAt: createdAt, expiresAt });
    },
    async read({ idHash, now }) {
      const row = live(idHash, now);
      return row === null ? null : { ...row };
    },
    async touch({ idHash, now, expiresAt }) {
      const row = live(idHash, now);
      if (row === null) return false;
      rows.set(idHash, { ...row, lastSeenAt: now, expiresAt });
      return true;
    },
    async revoke({ idHash }) {
      return rows.delete(idHash);
    },
    async revokeMember({ memberId, exceptIdHash }) {
      let revoked = 0;
      for (const [idHash, row] of rows) {
        if (row.memberId === memberId && idHash !== exceptIdHash) {
          rows.delete(idHash);
          revoked++;
        }
      }
      return revoked;
    },
    async purgeExpired({ now }) {
      let deleted = 0;
      for (const [idHash, row] of rows) {
        if (row.expiresAt.getTime() <= now.getTime()) {
          rows.delete(idHash);
          deleted++;
        }
      }
      return deleted;
    },
    peek: (idHash) => {
      const row = rows.get(idHash);
      return row === undefined ? null : { ...row };
    },
    size: () => rows.size,
  };
}
