import { listColumns, normalizeColumns, resolveColumn, suggestColumn, type TableColumn } from "./columns";
import { TemplateError } from "./errors";
import { defaultRow, type Operation } from "./operation";
import { type RowImage, renderValue } from "./row-data";

/** What a template is checked against. `columns: null` skips the column check (at delivery time). */
export interface TemplateContext {
  columns: readonly TableColumn[] | null;
  operation: Operation;
}

/** One placeholder of a compiled template. */
export interface Placeholder {
  /** The row image it reads. */
  row: "new" | "old";
  /** The column, spelled as the table spells it. */
  column: string;
  /** The placeholder as written, braces included. */
  written: string;
  position: number;
}

/** A template compiled once, rendered many times. */
export interface CompiledTemplate {
  readonly source: string;
  readonly placeholders: readonly Placeholder[];
  /**
   * Renders the template over a row image; NULL and missing values render as empty text. With
   * `maxLength`, stops once the text reaches that many UTF-16 code units and returns only those:
   * a huge value is sliced, never copied whole (a message is cut at 2,000 code points anyway).
   */
  render(row: RowImage, opts?: { maxLength?: number }): string;
}

const PLACEHOLDER = /^(?:(new|old)\.)?([A-Za-z_][A-Za-z0-9_]*)$/i;

type Part = string | { row: "new" | "old"; column: string };

interface Scan {
  parts: Part[];
  placeholders: Placeholder[];
  problems: TemplateError[];
}

/**
 * Checks a message template and returns every problem (an empty list when it is valid).
 *
 * Syntax: `{column}` reads the new row (the old one for DELETE), `{new.column}` / `{old.column}` read
 * a given image (`new` for INSERT/UPDATE, `old` for UPDATE/DELETE), `{{` and `}}` are literal braces.
 * Anything else between braces, a lone `{` or `}`, or a column the table does not have is an error.
 */
export function checkTemplate(source: string, ctx: TemplateContext): TemplateError[] {
  return scan(source, ctx).problems;
}

/**
 * Compiles a message template, or throws the first {@link TemplateError}. See {@link checkTemplate}
 * for the syntax.
 */
export function compileTemplate(source: string, ctx: TemplateContext): CompiledTemplate {
  const { parts, placeholders, problems } = scan(source, ctx);
  const first = problems[0];
  if (first) throw first;
  const frozen = Object.freeze(parts.slice());
  return {
    source,
    placeholders: Object.freeze(placeholders),
    render(row: RowImage, opts: { maxLength?: number } = {}): string {
      const max = opts.maxLength ?? Number.POSITIVE_INFINITY;
      let out = "";
      for (const part of frozen) {
        const text =
          typeof part === "string"
            ? part
            : renderValue((part.row === "new" ? row.new : row.old)?.[part.column], max - out.length);
        if (out.length + text.length >= max) return out + text.slice(0, max - out.length);
        out += text;
      }
      return out;
    },
  };
}

/**
 * The columns a template's placeholders read, as written (`{new.name}` and `{old.name}` both read
 * `name`), in order of first use; an invalid template yields the placeholders it does have.
 */
export function templateColumns(source: string): string[] {
  const names = scan(source, { columns: null, operation: "UPDATE" }).placeholders.map((p) => p.column);
  return [...new Set(names)];
}

function scan(source: string, ctx: TemplateContext): Scan {
  const columns = ctx.columns === null ? null : normalizeColumns(ctx.columns);
  const parts: Part[] = [];
  const placeholders: Placeholder[] = [];
  const problems: TemplateError[] = [];
  let literal = "";
  let i = 0;

  const flush = () => {
    if (literal) parts.push(literal);
    literal = "";
  };

  while (i < source.length) {
    const c = source.charAt(i);
    if (c === "}") {
      if (source.charAt(i + 1) === "}") {
        literal += "}";
        i += 2;
        continue;
      }
      problems.push(
        new TemplateError(`template: a lone "}" at position ${i}; write "}}" for a literal brace`, {
          reason: "unmatched_brace",
          position: i,
          placeholder: "}",
        }),
      );
      literal += "}";
      i++;
      continue;
    }
    if (c !== "{") {
      literal += c;
      i++;
      continue;
    }
    if (source.charAt(i + 1) === "{") {
      literal += "{";
      i += 2;
      continue;
    }
    const close = source.indexOf("}", i + 1);
    const nextOpen = source.indexOf("{", i + 1);
    if (close === -1) {
      problems.push(
        new TemplateError(
          `template: the "{" at position ${i} is never closed; write "{{" for a literal brace`,
          {
            reason: "unclosed_placeholder",
            position: i,
            placeholder: "{",
          },
        ),
      );
      literal += "{";
      i++;
      continue;
    }
    const nested = nextOpen !== -1 && nextOpen < close;
    const written = source.slice(i, nested ? nextOpen : close + 1);
    const match = nested ? null : PLACEHOLDER.exec(written.slice(1, -1));
    if (!match) {
      problems.push(
        new TemplateError(
          `template: ${shorten(written)} at position ${i} is not a placeholder; write {column}, {new.column} or {old.column}, and "{{" / "}}" for literal braces`,
          { reason: "invalid_placeholder", position: i, placeholder: written },
        ),
      );
      literal += written;
      i += written.length;
      continue;
    }
    const qualifier = match[1]?.toLowerCase() as "new" | "old" | undefined;
    const name = match[2] as string;
    const row = qualifier ?? defaultRow(ctx.operation);
    if (qualifier === "old" && ctx.operation === "INSERT") {
      problems.push(
        new TemplateError(`template: ${written} at position ${i}: an INSERT has no old row; use {${name}}`, {
          reason: "row_not_available",
          position: i,
          placeholder: written,
        }),
      );
    } else if (qualifier === "new" && ctx.operation === "DELETE") {
      problems.push(
        new TemplateError(`template: ${written} at position ${i}: a DELETE has no new row; use {${name}}`, {
          reason: "row_not_available",
          position: i,
          placeholder: written,
        }),
      );
    }
    let column = name;
    if (columns !== null) {
      const found = resolveColumn(columns, name);
      if (found) {
        column = found.name;
      } else {
        const suggestion = suggestColumn(columns, name);
        problems.push(
          new TemplateError(
            `template: ${written} at position ${i}: the table has no column ${name}${
              suggestion ? ` (did you mean {${qualifier ? `${qualifier}.` : ""}${suggestion}}?)` : ""
            }; its columns are: ${listColumns(columns)}`,
            {
              reason: "unknown_placeholder",
              position: i,
              placeholder: written,
              columns: columns.map((col) => col.name),
              suggestion,
            },
          ),
        );
      }
    }
    flush();
    parts.push({ row, column });
    placeholders.push({ row, column, written, position: i });
    i = close + 1;
  }
  flush();
  return { parts, placeholders, problems };
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
