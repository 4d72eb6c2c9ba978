import type { DefinitionIssue } from "@guildkit/webhook-templates";
import type { FormFields } from "./guard";
import { html, type SafeHtml } from "./html";
import { csrfField } from "./layout";

/** The editor's text fields, as typed. */
export interface EditorValues {
  url: string;
  template: string;
  username: string;
  avatarUrl: string;
  table: string;
  operation: string;
  when: string;
  enabled: boolean;
  mentionUserColumns: string;
  sample: string;
}

/** What the preview panel shows (no-JS preview, and the script's JSON). */
export interface PreviewView {
  ok: boolean;
  content: string | null;
  whenMatches: boolean | null;
  truncated: boolean;
  empty: boolean;
  issues: DefinitionIssue[];
  /** A problem outside the definition: no sample row, the table is empty… */
  problem: string | null;
}

/** A stored webhook (as the admin API shows it: URL masked) as editor values. */
export function valuesOf(w: Record<string, unknown> | null): EditorValues {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    url: "",
    template: text(w?.template),
    username: text(w?.username),
    avatarUrl: text(w?.avatarUrl),
    table: text(w?.table),
    operation: text(w?.operation) || "INSERT",
    when: text(w?.when),
    enabled: w ? w.enabled === true : true,
    mentionUserColumns: Array.isArray(w?.mentionUserColumns) ? w.mentionUserColumns.join(", ") : "",
    sample: "",
  };
}

/** The editor values a form posted. */
export function valuesFromForm(form: FormFields): EditorValues {
  return {
    url: (form.url ?? "").trim(),
    template: form.template ?? "",
    username: (form.username ?? "").trim(),
    avatarUrl: (form.avatarUrl ?? "").trim(),
    table: (form.table ?? "").trim(),
    operation: form.operation ?? "INSERT",
    when: (form.when ?? "").trim(),
    enabled: form.enabled === "on",
    mentionUserColumns: form.mentionUserColumns ?? "",
    sample: form.sample ?? "",
  };
}

/** The definition the admin API takes, from editor values (`url` left out when empty: kept). */
export function definitionOf(v: EditorValues): Record<string, unknown> {
  return {
    ...(v.url ? { url: v.url } : {}),
    template: v.template,
    username: v.username || null,
    avatarUrl: v.avatarUrl || null,
    table: v.table,
    operation: v.operation,
    when: v.when || null,
    enabled: v.enabled,
    mentionUserColumns: v.mentionUserColumns.split(/[\s,]+/).filter(Boolean),
  };
}

/** Issue messages never show a URL (a webhook URL's token is a secret). */
export const maskUrls = (text: string) => text.replace(/https?:\/\/\S+/g, "****");

/** The WHEN text with a marker where the parser stopped. */
function whenMarker(when: string, issues: DefinitionIssue[]): SafeHtml {
  const at = issues.find((i) => i.path[0] === "when" && typeof i.position === "number")?.position;
  if (at === undefined || when === "") return html``;
  return html`<pre class="when-marker" id="when-marker">${when.slice(0, at)}<mark>${when.slice(at, at + 1) || " "}</mark>${when.slice(at + 1)}</pre>`;
}

/** The preview panel; the script fills the same elements. */
export function previewPanel(preview: PreviewView | null, when: string): SafeHtml {
  const issues = preview?.issues ?? [];
  return html`<section id="preview-panel" aria-live="polite"><h2>Preview</h2><p id="preview-status" class="${
    preview === null ? "muted" : preview.ok ? "ok" : "bad"
  }">${
    preview === null
      ? "Press Preview (or type, with JavaScript on) to render the message against the sample or the table's newest row."
      : preview.problem
        ? preview.problem
        : preview.ok
          ? preview.whenMatches === false
            ? "The WHEN condition does not let this row through: no message would be sent."
            : "This row would send:"
          : `${issues.length} problem(s):`
  }</p><ul id="preview-issues">${issues.map(
    (i) =>
      html`<li data-field="${String(i.path[0] ?? "")}"><strong>${i.path.join(".")}</strong>: ${maskUrls(i.message)}</li>`,
  )}</ul>${whenMarker(when, issues)}<div class="preview" id="preview-message"${
    preview?.ok ? "" : html` hidden`
  }>${preview?.content ?? ""}</div>${preview?.truncated ? html`<p class="muted">Truncated to Discord's 2,000 characters.</p>` : ""}</section>`;
}

/** The whole editor form: fields with their errors, the table's columns, preview, save. */
export function editorForm(input: {
  id: string | null;
  values: EditorValues;
  csrf: string;
  issues: DefinitionIssue[];
  columns: { name: string; type?: string }[] | null;
  tables: string[];
  preview: PreviewView | null;
}): SafeHtml {
  const { values: v, issues } = input;
  const errorOf = (field: string) => {
    const list = issues.filter((i) => i.path[0] === field);
    return list.length === 0
      ? ""
      : html`<p class="field-error" id="error-${field}" role="alert">${list.map((i) => maskUrls(i.message)).join("; ")}</p>`;
  };
  const bad = (field: string) =>
    issues.some((i) => i.path[0] === field) ? html` class="invalid" aria-invalid="true"` : "";
  const text = (field: keyof EditorValues, label: string, help: string, extra: SafeHtml | string = "") =>
    html`<label for="wh-${field}">${label}</label><input type="${field === "url" ? "password" : "text"}" id="wh-${field}" name="${field}" value="${String(
      v[field],
    )}"${bad(field)}${extra}>${errorOf(field)}<p class="help">${help}</p>`;
  const action = input.id ? `/admin/webhooks/${input.id}` : "/admin/webhooks/new";
  return html`<form method="post" action="${action}" id="webhook-form">${csrfField(input.csrf)}${
    input.id ? html`<input type="hidden" name="id" value="${input.id}">` : ""
  }<fieldset><legend>Where</legend>${text(
    "url",
    "Discord webhook URL",
    input.id
      ? "Leave empty to keep the stored URL (it is never shown: its token is a secret)."
      : "Channel settings → Integrations → Webhooks → Copy Webhook URL. It is never shown back: after a preview without JavaScript, paste it again.",
    html` autocomplete="off"`,
  )}${text("username", "Username (optional)", "Shown as the message's author.")}${text(
    "avatarUrl",
    "Avatar URL (optional)",
    "An https image URL.",
  )}</fieldset><fieldset><legend>When</legend>${text("table", "Table", "The table whose rows trigger the message.", html` list="wh-tables"`)}<datalist id="wh-tables">${input.tables.map(
    (t) => html`<option value="${t}">`,
  )}</datalist><label for="wh-operation">Operation</label><select id="wh-operation" name="operation">${[
    "INSERT",
    "UPDATE",
    "DELETE",
  ].map((op) => html`<option${op === v.operation ? html` selected` : ""}>${op}</option>`)}</select>${errorOf(
    "operation",
  )}<p class="help" id="wh-columns">${
    input.columns
      ? html`Columns: ${input.columns.map((c, i) => html`${i > 0 ? ", " : ""}<code>${c.name}</code>${c.type ? html` <span class="muted">${c.type}</span>` : ""}`)}`
      : "Pick a table to see its columns."
  }</p>${text("when", "WHEN condition (optional)", "SQL-like, e.g. NEW.qty > 0 AND NEW.item LIKE 'gift%'. Checked as you type.")}<label><input type="checkbox" name="enabled" id="wh-enabled"${
    v.enabled ? html` checked` : ""
  }> Enabled</label></fieldset><fieldset><legend>Message</legend><label for="wh-template">Template</label><textarea id="wh-template" name="template" rows="4"${bad(
    "template",
  )}>${v.template}</textarea>${errorOf("template")}<p class="help">Text with {column}, {new.column}, {old.column} placeholders; {{ and }} for braces.</p>${text(
    "mentionUserColumns",
    "Mention columns (optional)",
    "Columns holding Discord user ids that may be pinged, comma separated.",
  )}<label for="wh-sample">Sample row for the preview (optional JSON)</label><textarea id="wh-sample" name="sample" rows="3"${bad(
    "sample",
  )}>${v.sample}</textarea>${errorOf("sample")}<p class="help">Without one, the preview uses the table's newest row.</p></fieldset><button type="submit" id="webhook-save">${
    input.id ? "Save changes" : "Create webhook"
  }</button><button type="submit" class="secondary" id="webhook-preview" formaction="/admin/webhooks/preview">Preview</button></form>${previewPanel(
    input.preview,
    v.when,
  )}`;
}
