import type { NonceStore } from "./ports";

/** An in-process {@link NonceStore}, for tests and a single process; adds `size()` and `peek()` for inspection. */
export interface MemoryNonceStore extends NonceStore {
  /** How many nonces are recorded. */
  size(): number;
  /** The record of `nonce` (its token's expiry), `null` when none: a backdoor read for tests. */
  peek(nonce: string): { expiresAt: Date } | null;
}

/**
 * A {@link NonceStore} in a `Map`. Correct for one process only: with several server processes, use the
 * SQLite or Postgres store so a nonce spent on one is spent on all.
 */
export function createMemoryNonceStore(): MemoryNonceStore {
  const used = new Map<string, number>();
  return {
    async consume({ nonce, expiresAt }, opts = {}) {
      opts.signal?.throwIfAborted();
      if (used.has(nonce)) return false;
      used.set(nonce, expiresAt.getTime());
      return true;
    },
    async purgeExpired({ now }, opts = {}) {
      opts.signal?.throwIfAborted();
      let deleted = 0;
      for (const [nonce, expiresAt] of used) {
        if (expiresAt <= now.getTime()) {
          used.delete(nonce);
          deleted++;
        }
      }
      return deleted;
    },
    size: () => used.size,
    peek: (nonce) => {
      const expiresAt = used.get(nonce);
      return expiresAt === undefined ? null : { expiresAt: new Date(expiresAt) };
    },
  };
}
