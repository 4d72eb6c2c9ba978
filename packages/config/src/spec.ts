import type { ConfigField } from "./field";

/** The fields of a spec, by key. */
export type ConfigFields = Record<string, ConfigField>;

/** A module's configuration spec: its name in the store and its fields. */
export interface ConfigSpec<TFields extends ConfigFields = ConfigFields> {
  /** The module name the versions are stored under, e.g. `discord`. */
  readonly module: string;
  readonly fields: TFields;
  /**
   * Rewrites stored values of an older shape before validation (e.g. the legacy single `role_id`
   * into `role_ids`). Identity when not given.
   */
  readonly upgrade: (values: Record<string, unknown>) => Record<string, unknown>;
}

/** The typed values of a spec: a field with a default is always set, others may be `null`. */
export type ConfigValues<TSpec extends ConfigSpec> = {
  [K in keyof TSpec["fields"]]: TSpec["fields"][K] extends ConfigField<infer T, infer D>
    ? D extends true
      ? T
      : T | null
    : never;
};

/** The keys of a spec's fields. */
export type ConfigKey<TSpec extends ConfigSpec> = keyof TSpec["fields"] & string;

/** Values with the listed keys guaranteed set (not `null`). */
export type CompleteConfigValues<TSpec extends ConfigSpec, TKey extends ConfigKey<TSpec>> = Omit<
  ConfigValues<TSpec>,
  TKey
> & { [K in TKey]: NonNullable<ConfigValues<TSpec>[K]> };

/**
 * Defines a module's configuration spec.
 *
 * @example
 * const spec = defineConfigSpec({
 *   module: "greeter",
 *   fields: {
 *     greeting: field(z.string().min(1), { label: "Greeting", section: "general", default: "hello" }),
 *     api_key: field(z.string().min(1), { label: "API key", section: "general", secret: true }),
 *   },
 * });
 */
export function defineConfigSpec<TFields extends ConfigFields>(spec: {
  module: string;
  fields: TFields;
  upgrade?: (values: Record<string, unknown>) => Record<string, unknown>;
}): ConfigSpec<TFields> {
  if (!/^[a-z][a-z0-9_-]*$/.test(spec.module)) {
    throw new TypeError(`config module name "${spec.module}" must be lower-case letters, digits, _ or -`);
  }
  for (const key of Object.keys(spec.fields)) {
    if (key === "__proto__")
      throw new TypeError(`config module "${spec.module}" cannot have a field named __proto__`);
  }
  return { module: spec.module, fields: spec.fields, upgrade: spec.upgrade ?? ((values) => values) };
}
