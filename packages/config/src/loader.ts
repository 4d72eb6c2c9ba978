import type { SecretBox } from "@guildkit/core";
import { type DescribedField, describeConfig } from "./describe";
import { type ConfigIssue, ConfigValidationError } from "./errors";
import { maskSecret, maskSecrets, SECRET_MASK } from "./mask";
import { openSecretFields, sealSecretFields } from "./secret-fields";
import type { CompleteConfigValues, ConfigKey, ConfigSpec, ConfigValues } from "./spec";
import type { ConfigStore } from "./store";
import { checkConfig, plainRecord } from "./validate";

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
   * (exactly as {@link maskSecret} showed it) keeps its value. Keys are own properties only
   * (`__proto__`, `constructor`… are unknown keys, refused). The result is validated first: a save
   * that fails validation writes nothing. Secret fields are stored sealed.
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
 * Creates a loader for one module's configuration. Secret fields (`secret: true`) are sealed with
 * `secretBox` before they are saved and opened when read; the box defaults to the store's
 * (`store.secretBox`), so every loader on a store built with a key seals. Without a box, saving a
 * secret throws `SecretBoxError` (`no_key`) and a sealed secret reads as an issue on its field.
 *
 * @example
 * const discord = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
 * const settings = await discord.loadComplete(["bot_token", "guild_id", "role_ids"]);
 * if (!settings.ok) return idle(settings.missing);
 */
export function createConfigLoader<TSpec extends ConfigSpec>(deps: {
  store: ConfigStore;
  spec: TSpec;
  /** Seals and opens the secret fields; default `store.secretBox`, else none. */
  secretBox?: SecretBox | null;
}): ConfigLoader<TSpec> {
  const { store, spec } = deps;
  const module = spec.module;
  const box = deps.secretBox !== undefined ? deps.secretBox : (store.secretBox ?? null);
  const order = Object.keys(spec.fields);
  const bySpecOrder = (a: ConfigIssue, b: ConfigIssue) => rank(a.field) - rank(b.field);
  const rank = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);

  /** Stored values upgraded and with their secrets opened, checked against the spec. */
  const read = async (stored: Record<string, unknown> | undefined, signal?: AbortSignal) => {
    const upgraded = plainRecord(spec.upgrade(plainRecord(stored ?? {})));
    const opened = await openSecretFields(spec, upgraded, box, signal);
    const check = checkConfig(spec, opened.values, { unknownKeys: "ignore" });
    const issues = [...opened.issues, ...check.issues].sort(bySpecOrder);
    // A secret that cannot be opened is shown as set, masked without its tail (SECRET_MASK is too
    // short to show one).
    const display = plainRecord(opened.values);
    for (const key of opened.unreadable) display[key] = SECRET_MASK;
    return { ...opened, check, issues, display };
  };

  return {
    spec,

    async load(opts = {}) {
      const latest = await store.latest({ module, signal: opts.signal });
      const { check, issues } = await read(latest?.values, opts.signal);
      if (issues.length > 0) throw new ConfigValidationError(module, issues);
      return check.values;
    },

    async loadComplete(keys, opts = {}) {
      const latest = await store.latest({ module, signal: opts.signal });
      const { check, issues } = await read(latest?.values, opts.signal);
      const values = check.values as Record<string, unknown>;
      const invalid = issues.filter((i) => (keys as readonly string[]).includes(i.field));
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
      const current = await read(latest?.values, opts.signal);
      const next = plainRecord(current.values);
      const replaced = new Set<string>();
      const unknown: ConfigIssue[] = [];
      for (const key of Object.keys(changes)) {
        const value = changes[key];
        if (value === undefined) continue;
        const def = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
        if (def?.secret && typeof value === "string" && value !== "") {
          // The masked value came back unchanged from a form: keep the secret.
          if (
            current.unreadable.includes(key) ? value.startsWith(SECRET_MASK) : value === maskSecret(next[key])
          )
            continue;
        }
        replaced.add(key);
        if (value === null || (typeof value === "string" && value.trim() === "")) {
          // Clearing a key that is not a setting is as unknown as setting one.
          if (!def) unknown.push({ field: key, message: `is not a ${module} setting` });
          delete next[key];
        } else next[key] = value;
      }
      // A stored secret that cannot be opened is neither kept (it cannot be sealed again) nor
      // dropped silently: the save is refused unless the change replaces or clears it.
      const blocked = current.issues.filter(
        (i) => current.unreadable.includes(i.field) && !replaced.has(i.field),
      );
      const check = checkConfig(spec, next, { unknownKeys: "reject" });
      const problems = [...blocked, ...check.issues, ...unknown].sort(bySpecOrder);
      if (problems.length > 0) throw new ConfigValidationError(module, problems);
      const values = check.values;
      const stored: Record<string, unknown> = {};
      for (const key of order) {
        const value = (values as Record<string, unknown>)[key];
        if (Object.hasOwn(next, key) && value !== null && value !== undefined) stored[key] = value;
      }
      const version = await store.save({
        module,
        values: await sealSecretFields(spec, stored, box, opts.signal),
        createdBy: opts.createdBy ?? null,
        expectedVersion: opts.expectedVersion ?? null,
        signal: opts.signal,
      });
      return { version, values };
    },

    async describe(opts = {}) {
      const latest = await store.latest({ module, signal: opts.signal });
      const { display, issues } = await read(latest?.values, opts.signal);
      return {
        module,
        version: latest?.version ?? 0,
        createdAt: latest?.createdAt ?? null,
        createdBy: latest?.createdBy ?? null,
        fields: describeConfig(spec, display),
        issues,
      };
    },

    async history(opts = {}) {
      const versions = await store.history({ module, limit: opts.limit, signal: opts.signal });
      const out: MaskedConfigVersion[] = [];
      for (const v of versions) {
        const { display } = await read(v.values, opts.signal);
        out.push({
          version: v.version,
          createdAt: v.createdAt,
          createdBy: v.createdBy,
          values: maskSecrets(spec, display) as Record<string, unknown>,
        });
      }
      return out;
    },
  };
}
