import { escapeHtml } from "@guildkit/oauth-state";

/** Markup that is already safe: built by {@link html}, never from a value. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated into {@link html}: text is escaped, `SafeHtml` kept, lists joined. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/**
 * The console's one escaping helper: a tagged template whose every interpolated value is
 * HTML-escaped (`escapeHtml` of `@guildkit/oauth-state`) unless it is {@link SafeHtml} made by
 * another `html` call. `null`, `undefined` and `false` render nothing; arrays render each item.
 * Attribute values must be quoted in the template (`value="${v}"`): quotes are escaped too.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** Pretty JSON of a value, for `<pre>` blocks (escaped when interpolated like any text). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? String(v) : v), 2) ?? "";
}
