import type { Clock, SecretBox } from "@guildkit/core";
import { ConfigConflictError } from "./errors";
import type { ConfigStore, ConfigVersion } from "./store";

/** Options of {@link createMemoryConfigStore}. */
export interface MemoryConfigStoreOptions {
  /** Stamps `createdAt` of each saved version. */
  clock: Clock;
  /** The box loaders on this store seal secret fields with; none by default. */
  secretBox?: SecretBox | null;
}

/** An in-memory {@link ConfigStore}; `versions` holds every stored version of every module, oldest first. */
export interface MemoryConfigStore extends ConfigStore {
  /** The stored versions, oldest first (a backdoor for tests: read it, or push a version by hand). */
  readonly versions: ConfigVersion[];
}

/**
 * A {@link ConfigStore} in an array, for tests and a single process: versions numbered per module from
 * 1, `expectedVersion` checked (`ConfigConflictError`, nothing written), values copied on save and on
 * read — what the SQL stores do.
 */
export function createMemoryConfigStore(options: MemoryConfigStoreOptions): MemoryConfigStore {
  const versions: ConfigVersion[] = [];
  const ofModule = (module: string) => versions.filter((v) => v.module === module);
  const copy = (v: ConfigVersion): ConfigVersion => ({ ...v, values: structuredClone(v.values) });
  return {
    versions,
    secretBox: options.secretBox ?? null,
    async latest({ module, signal }) {
      signal?.throwIfAborted();
      const latest = ofModule(module).reduce<ConfigVersion | null>(
        (best, v) => (best === null || v.version > best.version ? v : best),
        null,
      );
      return latest === null ? null : copy(latest);
    },
    async save({ module, values, createdBy = null, expectedVersion = null, signal }) {
      signal?.throwIfAborted();
      const current = ofModule(module).reduce((max, v) => Math.max(max, v.version), 0);
      if (expectedVersion !== null && expectedVersion !== current) {
        throw new ConfigConflictError(module, expectedVersion, current);
      }
      const version = current + 1;
      versions.push({
        module,
        version,
        values: structuredClone(values),
        createdAt: options.clock.now(),
        createdBy,
      });
      return version;
    },
    async history({ module, limit = 20, signal }) {
      signal?.throwIfAborted();
      return ofModule(module)
        .sort((a, b) => b.version - a.version)
        .slice(0, Math.max(1, Math.min(limit, 1000)))
        .map(copy);
    },
  };
}
