import type { SecretBox } from "@guildkit/core";

/** One stored version of a module's configuration. */
export interface ConfigVersion {
  module: string;
  /** 1, 2, 3… per module; the highest is the one in force. */
  version: number;
  /** The raw stored values (validate with the module's spec before use; may hold secrets). */
  values: Record<string, unknown>;
  createdAt: Date;
  /** Who saved it (an admin id, `migration:001-foundation`, …), `null` when unknown. */
  createdBy: string | null;
}

/**
 * Port: versioned configuration rows, latest version wins. Implemented by `@guildkit/store-sqlite`
 * and `@guildkit/store-postgres` (`store.configStore`).
 */
export interface ConfigStore {
  /**
   * The box the secret fields stored here are sealed with, `null`/absent when the store has none.
   * `createConfigLoader`'s default, so every loader on the store seals the same way.
   */
  readonly secretBox?: SecretBox | null;
  /** The latest version of a module's configuration, `null` when none was ever saved. */
  latest(opts: { module: string; signal?: AbortSignal }): Promise<ConfigVersion | null>;
  /**
   * Stores `values` as the next version and returns its number. With `expectedVersion` (the
   * version the change was based on, `0` for "none yet") the save is refused with
   * `ConfigConflictError` when another version was saved meanwhile. Stores values as given: validate
   * first and seal secret fields (the loader does both).
   */
  save(opts: {
    module: string;
    values: Record<string, unknown>;
    createdBy?: string | null;
    expectedVersion?: number | null;
    signal?: AbortSignal;
  }): Promise<number>;
  /** The most recent versions, newest first (`limit` defaults to 20). */
  history(opts: { module: string; limit?: number; signal?: AbortSignal }): Promise<ConfigVersion[]>;
}
