import type { EntitlementRule } from "@guildkit/role-reconciler";
import { html, type SafeHtml } from "./html";
import { csrfField } from "./layout";
import { type GuildRoles, grantable } from "./role-sync-roles";
import type { DraftRule, FieldErrors } from "./role-sync-rules";

/** What the rules form is drawn from. */
export interface RulesFormInput {
  csrf: string;
  /** The version of `role_sync` the form was drawn from (optimistic concurrency). */
  version: number;
  /** Whether rules are saved (otherwise the default rule applies). */
  saved: boolean;
  drafts: DraftRule[];
  errors: FieldErrors;
  roles: GuildRoles;
  /** A message on top: a conflict or what the admin API refused. */
  problem: string | null;
}

const fieldId = (name: string) => name.replace(/\./g, "-");

function fieldError(errors: FieldErrors, name: string): SafeHtml | "" {
  const message = errors.get(name);
  return message ? html`<p class="field-error" id="error-${fieldId(name)}" role="alert">${message}</p>` : "";
}

/**
 * A role picker: a checkbox per role of the guild that can be granted (highest first), and a text
 * field for role ids the guild does not list (or every id, when Discord could not be read).
 */
function rolePicker(name: string, selected: readonly string[], roles: GuildRoles): SafeHtml {
  const id = fieldId(name);
  const listed = roles.ok ? roles.roles.filter((r) => grantable(r, roles.guildId)) : [];
  const known = new Set(listed.map((r) => r.id));
  const other = selected.filter((roleId) => !known.has(roleId));
  return html`<div class="role-picker" id="${id}-roles">${listed.map(
    (r) =>
      html`<label class="pick"><input type="checkbox" name="${name}.role.${r.id}" id="${id}-role-${r.id}"${
        selected.includes(r.id) ? html` checked` : ""
      }> ${r.name}</label>`,
  )}<label class="pick muted" for="${id}-other">${roles.ok ? "Other role ids" : "Role ids"}</label><input type="text" name="${name}.other" id="${id}-other" value="${other.join(
    ", ",
  )}" placeholder="${roles.ok ? "ids of roles not listed above, comma-separated" : "role ids, comma-separated"}"></div>`;
}

/** One rule's fieldset (a blank one adds a rule). */
function ruleFieldset(draft: DraftRule, i: number, input: RulesFormInput, blank: boolean): SafeHtml {
  const at = `rule.${i}`;
  const id = fieldId(at);
  const { errors, roles } = input;
  const legend = blank
    ? draft.kind === "present"
      ? "New rule: a column that holds a value grants roles"
      : "New rule: a column's value picks the roles"
    : `Rule ${i + 1}: ${draft.kind === "present" ? "a column that holds a value grants roles" : "a column's value picks the roles"}`;
  const body =
    draft.kind === "present"
      ? html`<label>Roles</label>${rolePicker(at, draft.roleIds, roles)}${fieldError(errors, `${at}.roles`)}`
      : html`<label class="pick"><input type="checkbox" name="${at}.ignoreCase" id="${id}-ignoreCase"${
          draft.ignoreCase ? html` checked` : ""
        }> compare values ignoring case</label>${fieldError(errors, `${at}.values`)}${[
          ...draft.values,
          { value: "", roleIds: [] },
          { value: "", roleIds: [] },
        ].map(
          (v, j) =>
            html`<div class="map-value"><label for="${id}-value-${j}">Value</label><input type="text" name="${at}.value.${j}" id="${id}-value-${j}" value="${v.value}" placeholder="e.g. gold"${
              errors.has(`${at}.value.${j}`) ? html` class="invalid" aria-invalid="true"` : ""
            }>${fieldError(errors, `${at}.value.${j}`)}${rolePicker(`${at}.value.${j}`, v.roleIds, roles)}</div>`,
        )}`;
  return html`<fieldset class="rule" id="${id}"><legend>${legend}</legend><input type="hidden" name="${at}.kind" value="${draft.kind}"><label for="${id}-column">Member column</label><input type="text" name="${at}.column" id="${id}-column" value="${draft.column}" placeholder="${
    draft.kind === "present" ? "e.g. payment_status" : "e.g. tier"
  }"${errors.has(`${at}.column`) ? html` class="invalid" aria-invalid="true"` : ""}>${fieldError(errors, `${at}.column`)}${body}${
    blank
      ? ""
      : html`<label class="pick"><input type="checkbox" name="${at}.remove" id="${id}-remove"> remove this rule</label>`
  }</fieldset>`;
}

/**
 * The rules as a form: each rule with its column and role pickers fed by the guild's roles, a
 * blank rule of each kind to add one, errors beside each field; saved with the version it was drawn
 * from, so a stale form gets a conflict.
 */
export function rulesForm(input: RulesFormInput): SafeHtml {
  const { drafts } = input;
  const blanks: DraftRule[] = [
    { kind: "present", column: "", roleIds: [], values: [], ignoreCase: false },
    { kind: "map", column: "", roleIds: [], values: [], ignoreCase: false },
  ];
  return html`${input.problem ? html`<p class="conflict" id="rules-problem" role="alert">${input.problem}</p>` : ""}${
    input.errors.size > 0
      ? html`<p class="error" id="rules-errors" role="alert">Not saved: ${input.errors.size} ${input.errors.size === 1 ? "field needs" : "fields need"} fixing (see below).</p>`
      : ""
  }${input.roles.ok ? "" : html`<p class="bad" id="rules-roles-unread">${input.roles.message} Type role ids instead.</p>`}<p class="muted">Version ${input.version}. ${
    input.saved
      ? "A member holds the union of the roles every rule grants."
      : "No rule is saved: the default rule applies (a member whose payment_status holds a value gets the Discord settings' role ids)."
  }</p><form method="post" action="/admin/role-sync/rules" id="rules-form">${csrfField(
    input.csrf,
  )}<input type="hidden" name="expectedVersion" value="${input.version}">${fieldError(input.errors, "rules")}${[
    ...drafts.map((d, i) => ruleFieldset(d, i, input, false)),
    ...blanks.map((d, k) => ruleFieldset(d, drafts.length + k, input, true)),
  ]}${
    input.saved
      ? html`<label class="pick"><input type="checkbox" name="useDefault" id="rules-use-default"> use the default rule instead (clear the saved rules)</label>`
      : ""
  }<button type="submit" id="save-rules">Save the rules</button></form>`;
}

/** The rules in words, for the status page (role ids as given; the rules page names them). */
export function rulesSummary(rules: readonly EntitlementRule[] | null): SafeHtml {
  if (!rules) {
    return html`<p id="sync-rules">Default rule: a member whose <code>payment_status</code> holds a value gets the Discord settings' role ids.</p>`;
  }
  const ids = (list: readonly string[]) => list.map((r, i) => html`${i > 0 ? ", " : ""}<code>${r}</code>`);
  return html`<ul id="sync-rules">${rules.map((rule) =>
    rule.kind === "present"
      ? html`<li>a member whose <code>${rule.column}</code> holds a value gets ${ids(rule.roleIds)}</li>`
      : html`<li>by <code>${rule.column}</code>${rule.ignoreCase ? " (ignoring case)" : ""}: ${Object.entries(
          rule.values,
        ).map(([value, roleIds], i) => html`${i > 0 ? "; " : ""}"${value}" gets ${ids(roleIds)}`)}</li>`,
  )}</ul>`;
}
