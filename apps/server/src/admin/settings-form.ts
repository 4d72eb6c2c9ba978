import { type ConfigIssue, type ConfigSpec, type DescribedField, discordConfigSpec } from "@guildkit/config";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import type { FormFields } from "./guard";
import { html, type SafeHtml } from "./html";

/** The configuration modules the settings page edits (those the admin API serves). */
export const CONFIG_MODULES: Record<string, ConfigSpec> = {
  discord: discordConfigSpec,
  role_sync: roleSyncConfigSpec,
};

/** How a field is typed into a form, read off its zod schema. */
export type InputKind = "text" | "number" | "list" | "json" | "secret";

/** The part of zod's internal definition read here (its `type`, and what a pipe or array wraps). */
type ZodDef = { type: string; in?: { _zod: { def: ZodDef } }; element?: { _zod: { def: ZodDef } } };

/** The input kind of a spec field: secrets masked, numbers, lists of ids, JSON for the rest. */
export function inputKind(spec: ConfigSpec, key: string): InputKind {
  const def = spec.fields[key];
  if (!def) return "text";
  if (def.secret) return "secret";
  let zod = (def.schema as unknown as { _zod: { def: ZodDef } })._zod.def;
  while (zod.type === "pipe" && zod.in) zod = zod.in._zod.def;
  if (zod.type === "number") return "number";
  if (zod.type === "array") return zod.element?._zod.def.type === "string" ? "list" : "json";
  if (zod.type === "object" || zod.type === "record" || zod.type === "union") return "json";
  return "text";
}

/** A value as its input shows it. */
export function valueText(kind: InputKind, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (kind === "list" && Array.isArray(value)) return value.join(", ");
  if (kind === "json") return JSON.stringify(value, null, 2);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The changes a submitted form asks for: empty clears a field; a secret left empty keeps its
 * value (unless "clear" is ticked); lists split on commas and spaces; JSON parsed. Text that is
 * not JSON is an issue of its own, found before anything is sent.
 */
export function formChanges(
  spec: ConfigSpec,
  form: FormFields,
): { changes: Record<string, unknown>; issues: ConfigIssue[] } {
  const changes: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(spec.fields)) {
    const kind = inputKind(spec, key);
    const text = (form[`f.${key}`] ?? "").trim();
    if (kind === "secret") {
      if (form[`clear.${key}`] === "on") changes[key] = null;
      else if (text !== "") changes[key] = text;
      continue;
    }
    if (!(`f.${key}` in form)) continue;
    if (text === "") changes[key] = null;
    else if (kind === "list") changes[key] = text.split(/[\s,]+/).filter(Boolean);
    else if (kind === "json") {
      try {
        changes[key] = JSON.parse(text);
      } catch (error) {
        issues.push({ field: key, message: `is not valid JSON (${(error as Error).message})` });
      }
    } else changes[key] = text;
  }
  return { changes, issues };
}

/** One field of the form, with its error beside it. */
export function fieldInput(
  module: string,
  spec: ConfigSpec,
  field: DescribedField,
  opts: { error: string | null; submitted: string | undefined },
): SafeHtml {
  const kind = inputKind(spec, field.key);
  const id = `field-${module}-${field.key}`;
  const name = `f.${field.key}`;
  const invalid = opts.error
    ? html` class="invalid" aria-invalid="true" aria-describedby="error-${module}-${field.key}"`
    : "";
  const shown = opts.submitted ?? valueText(kind, field.isSet ? field.value : null);
  const placeholder = field.default !== null ? `default: ${valueText(kind, field.default)}` : "";
  let input: SafeHtml;
  if (kind === "secret") {
    input = html`<input type="password" id="${id}" name="${name}" autocomplete="off" placeholder="${
      field.isSet ? `${String(field.value)} (unchanged unless you type a new one)` : "not set"
    }"${invalid}>${
      field.isSet
        ? html`<label class="muted"><input type="checkbox" name="clear.${field.key}" id="clear-${module}-${field.key}"> clear this secret</label>`
        : ""
    }`;
  } else if (kind === "json") {
    input = html`<textarea id="${id}" name="${name}" rows="5" placeholder="${placeholder}"${invalid}>${shown}</textarea>`;
  } else {
    input = html`<input type="text" id="${id}" name="${name}" value="${shown}" placeholder="${placeholder}"${
      kind === "number" ? html` inputmode="numeric"` : ""
    }${invalid}>`;
  }
  return html`<label for="${id}">${field.label}</label>${input}${
    opts.error
      ? html`<p class="field-error" id="error-${module}-${field.key}" role="alert">${field.label} ${opts.error}</p>`
      : ""
  }${field.help ? html`<p class="help">${field.help}${kind === "list" ? " Separate ids with commas or spaces." : ""}</p>` : ""}`;
}
