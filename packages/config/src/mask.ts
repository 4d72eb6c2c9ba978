import type { ConfigSpec } from "./spec";
import { isUnset, ownValue } from "./validate";

/** The bullet prefix every masked secret starts with. */
export const SECRET_MASK = "••••";

/** Secrets shorter than this are shown as the bare mask: their last 4 characters would give too much away. */
const MIN_LENGTH_TO_SHOW_TAIL = 12;

/**
 * Masks one secret: `""` when unset, else `"••••"` followed by its last 4 characters (only the mask
 * for secrets shorter than 12 characters).
 */
export function maskSecret(value: unknown): string {
  if (isUnset(value)) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length >= MIN_LENGTH_TO_SHOW_TAIL ? SECRET_MASK + text.slice(-4) : SECRET_MASK;
}

/**
 * Values safe to display, log or return from an API: every secret field masked with
 * {@link maskSecret}, other fields as they are. Keys that are not in the spec are dropped (they might
 * be secrets of an older shape).
 */
export function maskSecrets<TSpec extends ConfigSpec>(
  spec: TSpec,
  values: Partial<Record<string, unknown>>,
): { [K in keyof TSpec["fields"]]: unknown } {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(spec.fields)) {
    const value = ownValue(values, key);
    out[key] = def.secret ? maskSecret(value) : (value ?? null);
  }
  return out as { [K in keyof TSpec["fields"]]: unknown };
}
