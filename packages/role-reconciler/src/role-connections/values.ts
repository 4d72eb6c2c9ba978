import { type EntitlementRule, entitledRoles } from "../entitlement";
import type { MemberAttributes } from "../ports";
import type { MetadataRecord } from "./metadata-schema";

/** A member's role connection metadata as Discord stores it: registered keys to stringified values. */
export type MetadataValues = Readonly<Record<string, string>>;

function comparable(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return null;
}

/** A date column's value as ISO 8601 (Date, ISO text or epoch ms), or null when it holds none. */
export function isoDate(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  const date =
    value instanceof Date
      ? value
      : typeof value === "number"
        ? new Date(value)
        : typeof value === "string"
          ? new Date(value.trim())
          : null;
  if (!date || Number.isNaN(date.getTime())) return null;
  return date.toISOString();
}

/**
 * The metadata one member should have, from the same entitlement rules as bot roles: `null` when
 * the rules entitle the member to nothing (the connection is cleared, so linked roles are lost),
 * otherwise one value per record — `"1"` for `paying`, the tier's integer (`"0"` without a tier),
 * the ISO date of `member_since` (left out when the column is empty or not a date).
 *
 * @example
 * metadataValues(records, rules, { payment_status: "active", tier: "gold", paid_since: "2026-01-05" })
 * // → { paying: "1", tier: "3", member_since: "2026-01-05T00:00:00.000Z" }
 */
export function metadataValues(
  records: readonly MetadataRecord[],
  rules: readonly EntitlementRule[],
  attributes: MemberAttributes,
): MetadataValues | null {
  if (entitledRoles(rules, attributes).size === 0) return null;
  const values: Record<string, string> = {};
  for (const record of records) {
    const { source } = record;
    if (source.kind === "paying") {
      values[record.key] = "1";
    } else if (source.kind === "tier") {
      const text = comparable(attributes[source.column]);
      let tier = 0;
      if (text !== null) {
        for (const [name, n] of Object.entries(source.values)) {
          const hit = source.ignoreCase
            ? name.trim().toLowerCase() === text.toLowerCase()
            : name.trim() === text;
          if (hit) tier = Math.max(tier, n);
        }
      }
      values[record.key] = String(tier);
    } else {
      const iso = isoDate(attributes[source.column]);
      if (iso !== null) values[record.key] = iso;
    }
  }
  return values;
}

/** A canonical text of values (sorted keys), `null` for none: what the store compares to find changes. */
export function metadataFingerprint(values: MetadataValues | null): string | null {
  if (values === null) return null;
  const sorted = Object.keys(values)
    .sort()
    .map((key) => [key, values[key]]);
  return JSON.stringify(Object.fromEntries(sorted));
}
