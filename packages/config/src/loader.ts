import { type DescribedField, describeConfig } from "./describe";
import { type ConfigIssue, ConfigValidationError } from "./errors";
import { maskSecret, maskSecrets } from "./mask";
import type { CompleteConfigValues, ConfigKey, ConfigSpec, ConfigValues } from "./spec";
import type { ConfigStore } from "./store";
import { checkConfig, validateConfig } from "./validate";

/** Result of {@link ConfigLoader.loadComplete}. */
export type LoadCompleteResult<TSpec extends ConfigSpec, TKey extends ConfigKey<TSpec>> =
  | {
      ok: true;
      /** The typed values; the requested keys are guaranteed set. */
      values: CompleteConfigValues<TSpec, TKey>;
      /** The stored version the values come from (`0` when none is stored and defaults sufficed). */
      version: number;
    }
  | {
      ok: false;
      /** Requested keys with no stored value and no default. */
      missing: TKey[];
      /** Requested keys whose stored value fails validation (messages never echo values). */
      invalid: ConfigIssue[];
    };

/** The configuration as an admin page shows it: masked, with the version it came from. */
export interface ConfigDescription {
  module: string;
  /** `0` when nothing is stored yet. */
  version: number;
  createdAt: Date | null;
  createdBy: string | null;
  fields: DescribedField[];
  /** Stored values that fail validation (e.g. imported from a legacy database). */
  issues: ConfigIssue[];
}

/** A version in {@link ConfigLoader.history}, with secrets masked. */
export interface MaskedConfigVersion {
  version: number;
  createdAt: Date;
  createdBy: string | null;
  values: Record<string, unknown>;
}

/** Reads and writes one module's configuration through a {@link ConfigStore}, validating with its spec. */
export interface ConfigLoader<TSpec extends ConfigSpec> {
  readonly spec: TSpec;
  /**
   * Reads the latest version from the store (on every call: a saved change applies without a
   * restart) and returns the typed values, unset fields as their default or `null`.
   *
   * @throws {@link ConfigValidationError} when the stored values fail the spec.
   */
  load(opts?: { signal?: AbortSignal }): Promise<ConfigValues<TSpec>>;
  /**
   * Like {@link ConfigLoader.load}, but for a caller that needs `keys` set: returns `{ ok: true,
   * values }` with those keys typed non-null, or `{ ok: false, missing, invalid }` so a worker can
   * idle until an admin completes the settings. Never throws for bad stored values.
   */
  loadComplete<TKey extends ConfigKey<TSpec>>(
    keys: readonly TKey[],
    opts?: { signal?: AbortSignal },
  ): Promise<LoadCompleteResult<TSpec, TKey>>;
  /**
   * Applies `changes` to the latest version and saves the result as a new version. A key that is
   * absent (or `undefined`) keeps its value; `null` or `""` clears it; a secret sent back masked
   * (exactly as {@link maskSecret} showed it) keeps its value. The result is validated first: a save
   * that fails validation writes nothing.
   *
   * @throws {@link ConfigValidationError} listing every bad field.
   * @throws `ConfigConflictError` (from the store) when `expectedVersion` is not the latest.
   */
  save(
    changes: Record<string, unknown>,
    opts?: { createdBy?: string | null; expectedVersion?: number | null; signal?: AbortSignal },
  ): Promise<{ version: number; values: ConfigValues<TSpec> }>;
  /** The latest version described for display, secrets masked. */
  describe(opts?: { signal?: AbortSignal }): Promise<ConfigDescription>;
  /** The most recent versions, newest first, secrets masked. */
  history(opts?: { limit?: number; signal?: AbortSignal }): Promise<MaskedConfigVersion[]>;
}

/**
 * Creates a loader for one module's configuration.
 *
 * @example
 * const discord = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
 * const settings = await discord.loadComplete(["bot_token", "guild_id", "role_ids"]);
 * if (!settings.ok) return idle(settings.missing);
 */
export function createConfigLoader<TSpec extends ConfigSpec>(deps: {
  store: ConfigStore;
  spec: TSpec;
}): ConfigLoader<TSpec> {
  const { store, spec } = deps;
  const module = spec.module;

  return {
    spec,

    async load(opts = {}) {
      const latest = await store.latest({ module, signal: opts.signal });
      const check = checkConfig(spec, latest?.values ?? {}, { unknownKeys: "ignore" });
      if (check.issues.length > 0) throw new ConfigValidationError(module, check.issues);
      return check.values;
    },

    async loadComplete(keys, opts = {}) {
      const latest = await store.latest({ module, signal: opts.signal });
      const check = checkConfig(spec, latest?.values ?? {}, { unknownKeys: "ignore" });
      const values = check.values as Record<string, unknown>;
      const invalid = check.issues.filter((i) => (keys as readonly string[]).includes(i.field));
      const bad = new Set(invalid.map((i) => i.field));
      const missing = keys.filter((k) => !bad.has(k) && (values[k] === null || values[k] === undefined));
      if (missing.length > 0 || invalid.length > 0) return { ok: false, missing, invalid };
      return {
        ok: true,
        values: check.values as CompleteConfigValues<TSpec, (typeof keys)[number]>,
        version: latest?.version ?? 0,
      };
    },

    async save(changes, opts = {}) {
      const latest = await store.latest({ module, signal: opts.signal });
      const current = spec.upgrade({ ...(latest?.values ?? {}) });
      const next: Record<string, unknown> = { ...current };
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) continue;
        const def = spec.fields[key];
        if (def?.secret && typeof value === "string" && value !== "" && value === maskSecret(current[key])) {
          continue; // the masked value came back unchanged from a form: keep the secret
        }
        if (value === null || (typeof value === "string" && value.trim() === "")) delete next[key];
        else next[key] = value;
      }
      const values = validateConfig(spec, next);
      const stored: Record<string, unknown> = {};
      for (const key of Object.keys(spec.fields)) {
        const value = (values as Record<string, unknown>)[key];
        if (key in next && value !== null && value !== undefined) stored[key] = value;
      }
      const version = await store.save({
        module,
        values: stored,
        createdBy: opts.createdBy ?? null,
        expectedVersion: opts.expectedVersion ?? null,
        signal: opts.signal,
      });
      return { version, values };
    },

    async describe(opts = {}) {
      const latest = await store.latest({ module, signal: opts.signal });
      const raw = spec.upgrade({ ...(latest?.values ?? {}) });
      const check = checkConfig(spec, raw, { unknownKeys: "ignore" });
      return {
        module,
        version: latest?.version ?? 0,
        createdAt: latest?.createdAt ?? null,
        createdBy: latest?.createdBy ?? null,
        fields: describeConfig(spec, raw),
        issues: check.issues,
      };
    },

    async history(opts = {}) {
      const versions = await store.history({ module, limit: opts.limit, signal: opts.signal });
      return versions.map((v) => ({
        version: v.version,
        createdAt: v.createdAt,
        createdBy: v.createdBy,
        values: maskSecrets(spec, spec.upgrade({ ...v.values })) as Record<string, unknown>,
      }));
    },
  };
}
