/** A bounded, expiring cache where several keys may share one entry. */
export interface MessageCache<V> {
  get(key: string): V | undefined;
  /** Stores `value` under every key given (e.g. the proxied and the original message id). */
  set(keys: readonly string[], value: V): void;
  clear(): void;
  readonly size: number;
}

/** Creates a {@link MessageCache} of at most `capacity` keys, each living `ttlMs`. */
export function createMessageCache<V>(opts: {
  capacity: number;
  ttlMs: number;
  now: () => number;
}): MessageCache<V> {
  const map = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = map.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= opts.now()) {
        map.delete(key);
        return undefined;
      }
      map.delete(key);
      map.set(key, entry);
      return entry.value;
    },
    set(keys, value) {
      if (opts.capacity <= 0) return;
      const entry = { value, expiresAt: opts.now() + opts.ttlMs };
      for (const key of keys) {
        map.delete(key);
        map.set(key, entry);
      }
      while (map.size > opts.capacity) {
        const oldest = map.keys().next();
        if (oldest.done) break;
        map.delete(oldest.value);
      }
    },
    clear: () => map.clear(),
    get size() {
      return map.size;
    },
  };
}
