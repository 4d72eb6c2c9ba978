import type { NonceStore } from "./ports";

/** An in-process {@link NonceStore}, for tests and a single process; adds `size()` for inspection. */
export interface MemoryNonceStore extends NonceStore {
  /** How many nonces are recorded. */
  size(): number;
}

/**
 * A {@link NonceStore} in a `Map`. Correct for one process only: with several server processes, use the
 * SQLite or Postgres store so a nonce spent on one is spent on all.
 */
export function createMemoryNonceStore(): MemoryNonceStore {
  const used = new Map<string, number>();
  return {
    async consume({ nonce, expiresAt }) {
      if (used.has(nonce)) return false;
      used.set(nonce, expiresAt.getTime());
      return true;
    },
    async purgeExpired({ now }) {
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
  };
}
