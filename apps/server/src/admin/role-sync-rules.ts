import { type EntitlementRule, mapRuleSchema, presentRuleSchema } from "@guildkit/role-reconciler";
import type { FormFields } from "./guard";

/** One value of a map rule as the form holds it: the value and the roles it grants. */
export interface DraftValue {
  value: string;
  roleIds: string[];
}

/** A rule as the form holds it (possibly incomplete or invalid, for drawing it again). */
export interface DraftRule {
  kind: "present" | "map";
  column: string;
  /** The roles of a `present` rule. */
  roleIds: string[];
  /** The values of a `map` rule. */
  values: DraftValue[];
  ignoreCase: boolean;
}

/** Errors beside the form's fields, by field name (`rule.0.column`, `rule.1.value.0`, `rules`). */
export type FieldErrors = Map<string, string>;

/** The drafts of saved rules (none when the default rule applies). */
export function draftsOf(rules: readonly EntitlementRule[] | null): DraftRule[] {
  return (rules ?? []).map((rule) =>
    rule.kind === "present"
      ? { kind: "present", column: rule.column, roleIds: [...rule.roleIds], values: [], ignoreCase: false }
      : {
          kind: "map",
          column: rule.column,
          roleIds: [],
          values: Object.entries(rule.values).map(([value, roleIds]) => ({ value, roleIds: [...roleIds] })),
          ignoreCase: rule.ignoreCase === true,
        },
  );
}

/** The role ids a picker submitted: its ticked roles (`<prefix>.role.<id>`) and its typed ids (`<prefix>.other`). */
function pickedRoles(form: FormFields, prefix: string): string[] {
  const ids = Object.keys(form)
    .filter((key) => key.startsWith(`${prefix}.role.`) && form[key] === "on")
    .map((key) => key.slice(`${prefix}.role.`.length));
  ids.push(...(form[`${prefix}.other`] ?? "").split(/[\s,]+/).filter(Boolean));
  return [...new Set(ids)];
}

/** The indexes `N` of the fields `<prefix>.N<suffix>`, in order. */
function indexes(form: FormFields, prefix: string, suffix: string): number[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)${suffix.replace(/\./g, "\\.")}$`);
  return Object.keys(form)
    .map((key) => pattern.exec(key)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The submitted rules not removed and not left blank, renumbered from 0. */
function submittedDrafts(form: FormFields): DraftRule[] {
  const drafts: DraftRule[] = [];
  for (const n of indexes(form, "rule", ".kind")) {
    const prefix = `rule.${n}`;
    if (form[`${prefix}.remove`] === "on") continue;
    const kind = form[`${prefix}.kind`] === "map" ? "map" : "present";
    const values = indexes(form, `${prefix}.value`, "")
      .map((m) => ({
        value: (form[`${prefix}.value.${m}`] ?? "").trim(),
        roleIds: pickedRoles(form, `${prefix}.value.${m}`),
      }))
      .filter((v) => v.value !== "" || v.roleIds.length > 0);
    const draft: DraftRule = {
      kind,
      column: (form[`${prefix}.column`] ?? "").trim(),
      roleIds: kind === "present" ? pickedRoles(form, prefix) : [],
      values,
      ignoreCase: form[`${prefix}.ignoreCase`] === "on",
    };
    const blank = draft.column === "" && draft.roleIds.length === 0 && draft.values.length === 0;
    if (!blank) drafts.push(draft);
  }
  return drafts;
}

/** Checks one draft with the rule schemas of `@guildkit/role-reconciler`; errors go to `errors`. */
function checkDraft(draft: DraftRule, i: number, errors: FieldErrors): EntitlementRule | null {
  const at = `rule.${i}`;
  if (draft.kind === "present") {
    if (draft.roleIds.length === 0) errors.set(`${at}.roles`, "pick at least one role.");
    const parsed = presentRuleSchema.safeParse({
      kind: "present",
      column: draft.column,
      roleIds: draft.roleIds,
    });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === "column" ? `${at}.column` : `${at}.roles`;
      if (!errors.has(field)) errors.set(field, `${issue.message}.`);
    }
    return null;
  }
  const rows = new Map<string, number>();
  draft.values.forEach((v, j) => {
    const field = `${at}.value.${j}`;
    if (v.value === "") errors.set(field, "give the value that grants these roles.");
    else if (rows.has(v.value)) errors.set(field, `"${v.value}" is given twice.`);
    else if (v.roleIds.length === 0) errors.set(field, `pick at least one role for "${v.value}".`);
    if (v.value !== "" && !rows.has(v.value)) rows.set(v.value, j);
  });
  if (draft.values.length === 0) errors.set(`${at}.values`, "add at least one value and its roles.");
  const parsed = mapRuleSchema.safeParse({
    kind: "map",
    column: draft.column,
    values: Object.fromEntries(draft.values.map((v) => [v.value, v.roleIds])),
    ...(draft.ignoreCase ? { ignoreCase: true } : {}),
  });
  if (parsed.success) return errors.size === 0 ? parsed.data : null;
  for (const issue of parsed.error.issues) {
    const row = issue.path[0] === "values" ? rows.get(String(issue.path[1])) : undefined;
    const field =
      issue.path[0] === "column" ? `${at}.column` : row === undefined ? `${at}.values` : `${at}.value.${row}`;
    if (!errors.has(field)) errors.set(field, `${issue.message}.`);
  }
  return null;
}

/**
 * Reads the rules form: the rules to save (`null`: back to the default rule), the drafts to draw
 * again, and the errors beside each field. A rule left blank is ignored, a ticked "remove" drops it.
 */
export function readRulesForm(form: FormFields): {
  rules: EntitlementRule[] | null;
  drafts: DraftRule[];
  errors: FieldErrors;
} {
  const drafts = submittedDrafts(form);
  const errors: FieldErrors = new Map();
  if (form.useDefault === "on") return { rules: null, drafts, errors };
  const rules = drafts.map((draft, i) => checkDraft(draft, i, errors));
  if (drafts.length === 0) {
    errors.set("rules", 'add at least one rule, or tick "use the default rule".');
  }
  return { rules: rules.filter((r): r is EntitlementRule => r !== null), drafts, errors };
}
