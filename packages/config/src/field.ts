import type { z } from "zod";

/** How a field is shown and treated, besides its zod schema. */
export interface FieldMeta<T> {
  /** Human label, e.g. `Client ID`. */
  label: string;
  /** Section the field is grouped under, e.g. `oauth`, `bot`, `sync`. */
  section: string;
  /** One sentence of help shown under the field. */
  help?: string;
  /** A secret is never logged, and only ever shown masked (`••••` + last 4). */
  secret?: boolean;
  /** Value used while the field is unset. */
  default?: T;
}

/**
 * One configuration field: a zod schema plus display metadata. `HasDefault` records at type level
 * whether an unset field reads as its default (`T`) or as `null`.
 */
export interface ConfigField<T = unknown, HasDefault extends boolean = boolean> {
  readonly schema: z.ZodType<T>;
  readonly label: string;
  readonly section: string;
  readonly help: string | null;
  readonly secret: boolean;
  readonly default: T | null;
  /** Type-level marker only; always `undefined` at run time. */
  readonly __hasDefault?: HasDefault;
}

/**
 * Declares a configuration field.
 *
 * @example
 * field(z.coerce.number().int().min(1).max(168), { label: "Sync interval (hours)", section: "sync", default: 24 })
 */
export function field<T>(schema: z.ZodType<T>, meta: FieldMeta<T> & { default: T }): ConfigField<T, true>;
export function field<T>(schema: z.ZodType<T>, meta: FieldMeta<T>): ConfigField<T, false>;
export function field<T>(schema: z.ZodType<T>, meta: FieldMeta<T>): ConfigField<T, boolean> {
  return {
    schema,
    label: meta.label,
    section: meta.section,
    help: meta.help ?? null,
    secret: meta.secret === true,
    default: meta.default === undefined ? null : meta.default,
  };
}
