import { isSealedSecret, type SecretBox, SecretBoxError } from "@guildkit/core";
import type { ConfigIssue } from "./errors";
import type { ConfigSpec } from "./spec";
import { isUnset, ownValue } from "./validate";

/**
 * The context (associated data) a secret field is sealed for: `config:<module>:<key>`. A sealed
 * value copied into another field or module does not open.
 */
export function secretContext(module: string, key: string): string {
  return `config:${module}:${key}`;
}

/** The keys of a spec's secret fields. */
export function secretFieldKeys(spec: ConfigSpec): string[] {
  return Object.keys(spec.fields).filter((key) => spec.fields[key]?.secret === true);
}

/** What {@link openSecretFields} made of stored values. */
export interface OpenedValues {
  /** The values with every secret field opened; a secret that cannot be opened is left out. */
  values: Record<string, unknown>;
  /** One issue per secret that cannot be opened (never the value). */
  issues: ConfigIssue[];
  /** The keys of those secrets. */
  unreadable: string[];
}

/**
 * Opens the sealed secret fields of stored values (a null-prototype copy is returned; `values` is
 * not changed). A plaintext secret — stored before secrets were sealed, or by a host writing the
 * store directly — is read as it is; the next save seals it.
 */
export async function openSecretFields(
  spec: ConfigSpec,
  values: Record<string, unknown>,
  box: SecretBox | null,
  signal?: AbortSignal,
): Promise<OpenedValues> {
  const out = Object.assign(Object.create(null) as Record<string, unknown>, values);
  const issues: ConfigIssue[] = [];
  const unreadable: string[] = [];
  for (const key of secretFieldKeys(spec)) {
    const sealed = ownValue(values, key);
    if (!isSealedSecret(sealed)) continue;
    try {
      if (box === null) throw new SecretBoxError("no_key", "no secret key is configured");
      out[key] = await box.open(sealed, { context: secretContext(spec.module, key), signal });
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      delete out[key];
      unreadable.push(key);
      issues.push({ field: key, message: unreadableMessage(error) });
    }
  }
  return { values: out, issues, unreadable };
}

/**
 * The values to store: every set secret field sealed for its field (`config:<module>:<key>`), the
 * others as they are.
 *
 * @throws {@link SecretBoxError} `no_key` when a secret is set and there is no box.
 */
export async function sealSecretFields(
  spec: ConfigSpec,
  values: Record<string, unknown>,
  box: SecretBox | null,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...values };
  for (const key of secretFieldKeys(spec)) {
    const value = ownValue(values, key);
    if (isUnset(value)) continue;
    if (box === null) {
      throw new SecretBoxError(
        "no_key",
        `cannot store the ${spec.module} setting ${key}: secrets are sealed at rest and no secret key is configured; set GUILDKIT_SECRET_KEY`,
      );
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    out[key] = await box.seal(text, { context: secretContext(spec.module, key), signal });
  }
  return out;
}

function unreadableMessage(error: SecretBoxError): string {
  switch (error.reason) {
    case "no_key":
      return "is stored sealed, and no secret key is configured: set GUILDKIT_SECRET_KEY to the key it was sealed with";
    case "wrong_key":
      return `is sealed with key ${error.keyId}, which GUILDKIT_SECRET_KEY does not hold: add that key after the current one, or enter the value again`;
    case "tampered":
      return "is sealed but does not authenticate (altered, or copied from another field): enter the value again";
    default:
      return "is not a readable sealed value: enter the value again";
  }
}
