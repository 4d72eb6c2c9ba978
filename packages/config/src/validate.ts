import { type ConfigIssue, ConfigValidationError } from "./errors";
import type { ConfigSpec, ConfigValues } from "./spec";

/**
 * Whether a stored or submitted value counts as "not set": `undefined`, `null`, an empty or
 * blank string, or an empty array. Unset fields read as their default, or `null`.
 */
export function isUnset(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/**
 * `record[key]` when `key` is the record's own property, else `undefined`: never a value inherited
 * from `Object.prototype` (`constructor`, `toString`, `__proto__`…).
 */
export function ownValue(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A copy of `record`'s own enumerable properties on an object without a prototype, so that keys
 * such as `__proto__` stay plain keys (readable, listed by `Object.keys`) instead of reaching
 * `Object.prototype`.
 */
export function plainRecord(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(record)) out[key] = record[key];
  return out;
}

/** What {@link checkConfig} found: the typed values (bad fields read as unset), issues, unset keys. */
export interface ConfigCheck<TSpec extends ConfigSpec> {
  values: ConfigValues<TSpec>;
  issues: ConfigIssue[];
  /** Keys with no value (defaults do not count as set). */
  unset: string[];
}

/**
 * Checks raw values against a spec without throwing. The spec's `upgrade` runs first. Keys that are
 * not in the spec are reported when `unknownKeys` is `"reject"` (saving) and skipped when `"ignore"`
 * (loading what an older version stored). Messages never contain the values.
 */
export function checkConfig<TSpec extends ConfigSpec>(
  spec: TSpec,
  raw: Record<string, unknown>,
  options: { unknownKeys?: "reject" | "ignore" } = {},
): ConfigCheck<TSpec> {
  const input = plainRecord(spec.upgrade(plainRecord(raw)));
  const values: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  const unset: string[] = [];
  for (const [key, def] of Object.entries(spec.fields)) {
    const value = ownValue(input, key);
    if (isUnset(value)) {
      values[key] = def.default;
      unset.push(key);
      continue;
    }
    const result = def.schema.safeParse(value);
    if (result.success) {
      values[key] = result.data;
    } else {
      values[key] = def.default;
      const first = result.error.issues[0];
      const where = first && first.path.length > 0 ? `item ${first.path.map(String).join(".")}: ` : "";
      issues.push({ field: key, message: `${where}${first?.message ?? "is invalid"}` });
    }
  }
  if (options.unknownKeys === "reject") {
    for (const key of Object.keys(input)) {
      if (!Object.hasOwn(spec.fields, key))
        issues.push({ field: key, message: `is not a ${spec.module} setting` });
    }
  }
  return { values: values as ConfigValues<TSpec>, issues, unset };
}

/**
 * Validates raw values against a spec and returns the typed values (unset fields read as their
 * default or `null`).
 *
 * @throws {@link ConfigValidationError} listing every bad field (and every key not in the spec).
 */
export function validateConfig<TSpec extends ConfigSpec>(
  spec: TSpec,
  raw: Record<string, unknown>,
): ConfigValues<TSpec> {
  const check = checkConfig(spec, raw, { unknownKeys: "reject" });
  if (check.issues.length > 0) throw new ConfigValidationError(spec.module, check.issues);
  return check.values;
}
