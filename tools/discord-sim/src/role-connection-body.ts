/**
 * Validation of Linked Roles bodies: an application's role connection metadata records and a user's
 * role connection, with Discord's 50035 leaves.
 * @see https://discord.com/developers/docs/resources/application-role-connection-metadata
 * @see https://discord.com/developers/docs/resources/user#update-current-user-application-role-connection
 */
import type { FormErrorLeaf } from "./errors";
import type { SimRoleConnectionMetadata, SimRoleConnectionMetadataType } from "./types";

/** One 50035 issue: where in the body, and the leaf. */
export interface FormIssue {
  path: (string | number)[];
  leaf: FormErrorLeaf;
}

/** The result of validating a body: the value, or the issues to answer with 50035. */
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: FormIssue[] };

/** An application has at most 5 metadata records. */
export const MAX_METADATA_RECORDS = 5;

/** Discord's available locales (the keys a `*_localizations` dictionary may use). */
export const LOCALES = [
  "id",
  "da",
  "de",
  "en-GB",
  "en-US",
  "es-ES",
  "es-419",
  "fr",
  "hr",
  "it",
  "lt",
  "hu",
  "nl",
  "no",
  "pl",
  "pt-BR",
  "ro",
  "fi",
  "sv-SE",
  "vi",
  "tr",
  "cs",
  "el",
  "bg",
  "ru",
  "uk",
  "hi",
  "th",
  "zh-CN",
  "ja",
  "zh-TW",
  "ko",
] as const;
const LOCALE_SET = new Set<string>(LOCALES);

const KEY = /^[a-z0-9_]+$/;
const INTEGER = /^-?\d{1,19}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const required: FormErrorLeaf = { code: "BASE_TYPE_REQUIRED", message: "This field is required" };
const notString = (value: unknown): FormErrorLeaf => ({
  code: "BASE_TYPE_STRING",
  message: `Could not interpret "${typeof value === "string" ? value : JSON.stringify(value)}" as string.`,
});
const badLength = (min: number, max: number): FormErrorLeaf => ({
  code: "BASE_TYPE_BAD_LENGTH",
  message: `Must be between ${min} and ${max} in length.`,
});
const tooLong = (max: number): FormErrorLeaf => ({
  code: "BASE_TYPE_MAX_LENGTH",
  message: `Must be ${max} or fewer in length.`,
});
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const notDict: FormErrorLeaf = {
  code: "DICT_TYPE_CONVERT",
  message: "Only dictionaries may be used in a DictType",
};

/** Checks a string field of `min`–`max` characters; pushes issues, returns the string or null. */
function text(
  issues: FormIssue[],
  path: (string | number)[],
  value: unknown,
  min: number,
  max: number,
): string | null {
  if (value === undefined || value === null) {
    issues.push({ path, leaf: required });
    return null;
  }
  if (typeof value !== "string") {
    issues.push({ path, leaf: notString(value) });
    return null;
  }
  if (value.length < min || value.length > max) {
    issues.push({ path, leaf: badLength(min, max) });
    return null;
  }
  return value;
}

function localizations(
  issues: FormIssue[],
  path: (string | number)[],
  value: unknown,
  max: number,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    issues.push({ path, leaf: notDict });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [locale, translated] of Object.entries(value)) {
    if (!LOCALE_SET.has(locale)) {
      issues.push({
        path: [...path, locale],
        leaf: {
          code: "BASE_TYPE_CHOICES",
          message: `Value must be one of {${LOCALES.map((l) => `'${l}'`).join(", ")}}.`,
        },
      });
      continue;
    }
    const checked = text(issues, [...path, locale], translated, 1, max);
    if (checked !== null) out[locale] = checked;
  }
  return out;
}

function metadataRecord(issues: FormIssue[], index: number, item: unknown): SimRoleConnectionMetadata | null {
  if (!isRecord(item)) {
    issues.push({ path: [index], leaf: notDict });
    return null;
  }
  const before = issues.length;
  const type = item.type;
  if (type === undefined || type === null) issues.push({ path: [index, "type"], leaf: required });
  else if (typeof type !== "number" || !Number.isInteger(type) || type < 1 || type > 8) {
    issues.push({
      path: [index, "type"],
      leaf: { code: "BASE_TYPE_CHOICES", message: "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8}." },
    });
  }
  const key = text(issues, [index, "key"], item.key, 1, 50);
  if (key !== null && !KEY.test(key)) {
    issues.push({
      path: [index, "key"],
      leaf: { code: "STRING_TYPE_REGEX", message: "String value did not match validation regex." },
    });
  }
  const name = text(issues, [index, "name"], item.name, 1, 100);
  const description = text(issues, [index, "description"], item.description, 1, 200);
  const nameL10n = localizations(issues, [index, "name_localizations"], item.name_localizations, 100);
  const descriptionL10n = localizations(
    issues,
    [index, "description_localizations"],
    item.description_localizations,
    200,
  );
  if (issues.length > before || key === null || name === null || description === null) return null;
  return {
    type: type as SimRoleConnectionMetadataType,
    key,
    name,
    ...(nameL10n ? { name_localizations: nameL10n } : {}),
    description,
    ...(descriptionL10n ? { description_localizations: descriptionL10n } : {}),
  };
}

/**
 * Validates the body of `PUT /applications/{id}/role-connections/metadata`: an array of at most 5
 * records, each with a type 1–8, a key of `a-z0-9_` (1–50), a name (1–100), a description (1–200)
 * and optional localizations keyed by Discord locales; keys are unique.
 */
export function checkMetadataRecords(input: unknown): Checked<SimRoleConnectionMetadata[]> {
  if (!Array.isArray(input)) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          leaf: { code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType" },
        },
      ],
    };
  }
  if (input.length > MAX_METADATA_RECORDS) {
    return { ok: false, issues: [{ path: [], leaf: tooLong(MAX_METADATA_RECORDS) }] };
  }
  const issues: FormIssue[] = [];
  const records: SimRoleConnectionMetadata[] = [];
  const seen = new Set<string>();
  input.forEach((item, index) => {
    const record = metadataRecord(issues, index, item);
    if (!record) return;
    // Discord's answer to a repeated key is not documented; a repeated key would make values ambiguous.
    if (seen.has(record.key)) {
      issues.push({
        path: [index, "key"],
        leaf: { code: "BASE_TYPE_INVALID", message: `Duplicate metadata key "${record.key}".` },
      });
    }
    seen.add(record.key);
    records.push(record);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: records };
}

/** A validated role connection body. */
export interface RoleConnectionBody {
  platformName: string | null;
  platformUsername: string | null;
  metadata: Record<string, string>;
}

function optionalText(issues: FormIssue[], key: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    issues.push({ path: [key], leaf: notString(value) });
    return null;
  }
  if (value.length > max) issues.push({ path: [key], leaf: tooLong(max) });
  return value;
}

/** Checks one metadata value against its record's type; returns the stored string or a leaf. */
function metadataValue(
  type: SimRoleConnectionMetadataType,
  value: unknown,
): { ok: true; value: string } | { ok: false; leaf: FormErrorLeaf } {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    return { ok: false, leaf: notString(value) };
  }
  const stored = String(value);
  if (stored.length > 100) return { ok: false, leaf: tooLong(100) };
  if (type <= 4 && (typeof value === "boolean" || !INTEGER.test(stored))) {
    return { ok: false, leaf: { code: "NUMBER_TYPE_COERCE", message: `Value "${stored}" is not int.` } };
  }
  if ((type === 5 || type === 6) && (!ISO_DATE.test(stored) || Number.isNaN(Date.parse(stored)))) {
    return {
      ok: false,
      leaf: { code: "DATE_TYPE_PARSE", message: `Could not parse "${stored}". Should be ISO8601.` },
    };
  }
  // Discord takes JSON true/false for boolean records without an error, but such a value never
  // satisfies the role (discord-api-docs#5755): store it as sent so tests can see it.
  if (type >= 7 && typeof value !== "boolean" && stored !== "0" && stored !== "1") {
    return { ok: false, leaf: { code: "BASE_TYPE_CHOICES", message: "Value must be one of {0, 1}." } };
  }
  return { ok: true, value: stored };
}

/**
 * Validates the body of `PUT /users/@me/applications/{id}/role-connection` against the
 * application's metadata records: `platform_name` ≤ 50, `platform_username` ≤ 100, and `metadata`
 * mapping registered keys to values (≤ 100 characters) that fit each record's type.
 */
export function checkRoleConnection(
  input: unknown,
  schema: readonly SimRoleConnectionMetadata[],
): Checked<RoleConnectionBody> {
  if (!isRecord(input)) return { ok: false, issues: [{ path: [], leaf: notDict }] };
  const issues: FormIssue[] = [];
  const platformName = optionalText(issues, "platform_name", input.platform_name, 50);
  const platformUsername = optionalText(issues, "platform_username", input.platform_username, 100);
  const metadata: Record<string, string> = {};
  const raw = input.metadata;
  if (raw !== undefined && raw !== null && !isRecord(raw)) {
    issues.push({ path: ["metadata"], leaf: notDict });
  } else {
    const types = new Map(schema.map((record) => [record.key, record.type]));
    for (const [key, value] of Object.entries(raw ?? {})) {
      const type = types.get(key);
      if (type === undefined) {
        // Not documented; unregistered keys would never be compared, so the simulator refuses them.
        issues.push({
          path: ["metadata", key],
          leaf: { code: "BASE_TYPE_INVALID", message: `Unknown role connection metadata key "${key}".` },
        });
        continue;
      }
      const checked = metadataValue(type, value);
      if (checked.ok) metadata[key] = checked.value;
      else issues.push({ path: ["metadata", key], leaf: checked.leaf });
    }
  }
  return issues.length > 0
    ? { ok: false, issues }
    : { ok: true, value: { platformName, platformUsername, metadata } };
}
