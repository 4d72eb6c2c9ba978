import { maskSecret } from "./mask";
import type { ConfigSpec } from "./spec";
import { isUnset, ownValue } from "./validate";

/** One field as an admin page shows it. The value is masked when the field is a secret. */
export interface DescribedField {
  key: string;
  label: string;
  section: string;
  help: string | null;
  secret: boolean;
  /** Whether a value is stored (a default does not count). */
  isSet: boolean;
  /** The value to display: masked for secrets, the default when unset, else `null`. */
  value: unknown;
  /** The default, `null` when there is none (secrets never have one shown). */
  default: unknown;
}

/**
 * Describes every field of a spec for display: label, section, help, secret flag and the value,
 * masked for secrets. Safe to log or return from an admin API.
 */
export function describeConfig<TSpec extends ConfigSpec>(
  spec: TSpec,
  values: Partial<Record<string, unknown>>,
): DescribedField[] {
  return Object.entries(spec.fields).map(([key, def]) => {
    const raw = ownValue(values, key);
    const isSet = !isUnset(raw);
    return {
      key,
      label: def.label,
      section: def.section,
      help: def.help,
      secret: def.secret,
      isSet,
      value: def.secret ? maskSecret(raw) : isSet ? raw : def.default,
      default: def.secret ? null : def.default,
    };
  });
}
