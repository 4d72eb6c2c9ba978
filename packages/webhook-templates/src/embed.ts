import { z } from "zod";
import type { TableColumn } from "./columns";
import type { DefinitionIssue } from "./errors";
import { EmbedLimitError } from "./errors";
import type { Operation } from "./operation";
import type { RowImage } from "./row-data";
import { type CompiledTemplate, checkTemplate, compileTemplate } from "./template";
import { truncateContent } from "./truncate";

/**
 * Discord's embed limits (characters): title 256, description 4,096, 25 fields of name 256 and value
 * 1,024, 6,000 across every embed of a message, 10 embeds per message.
 *
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */
export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  total: 6000,
  embedsPerMessage: 10,
} as const;

/** The embed a webhook renders for each event: every text is a template (`{column}` placeholders). */
export interface EmbedTemplate {
  title?: string | null;
  /** Absent or `null`: the webhook's message `template` is the description. */
  description?: string | null;
  /** A template rendering an http(s) URL; a rendering that is not one is left out. */
  url?: string | null;
  /** 0x000000–0xFFFFFF. */
  color?: number | null;
  fields?: { name: string; value: string; inline?: boolean }[];
}

/** An embed as Execute Webhook takes it. */
export interface Embed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
}

const text = (max: number, what: string) =>
  z
    .string({ error: `${what} must be text` })
    .max(max, `${what} is longer than ${max} characters`)
    .nullable()
    .optional();

/** The shape of {@link EmbedTemplate} (zod); the templates themselves are checked by {@link checkEmbedTemplate}. */
export const embedTemplateSchema = z.strictObject({
  title: text(1024, "embed title"),
  description: text(8192, "embed description"),
  url: text(2048, "embed url"),
  color: z
    .number({ error: "embed color must be a number" })
    .int("embed color must be a whole number")
    .min(0, "embed color must be 0x000000 to 0xFFFFFF")
    .max(0xffffff, "embed color must be 0x000000 to 0xFFFFFF")
    .nullable()
    .optional(),
  fields: z
    .array(
      z.strictObject({
        name: z.string({ error: "field name must be text" }).min(1, "field name is empty").max(1024),
        value: z.string({ error: "field value must be text" }).min(1, "field value is empty").max(4096),
        inline: z.boolean({ error: "inline must be true or false" }).optional(),
      }),
    )
    .max(EMBED_LIMITS.fields, `an embed has at most ${EMBED_LIMITS.fields} fields`)
    .optional(),
});

/** The most events one coalesced message carries (one embed each: Discord's 10 embeds). */
export const MAX_COALESCE = EMBED_LIMITS.embedsPerMessage;

/** Every text template of an embed with its path and Discord's limit (the description's is the message template's when absent). */
function textsOf(e: EmbedTemplate): { path: (string | number)[]; source: string; limit: number }[] {
  const out: { path: (string | number)[]; source: string; limit: number }[] = [];
  if (e.title) out.push({ path: ["title"], source: e.title, limit: EMBED_LIMITS.title });
  if (e.description)
    out.push({ path: ["description"], source: e.description, limit: EMBED_LIMITS.description });
  if (e.url) out.push({ path: ["url"], source: e.url, limit: 2048 });
  (e.fields ?? []).forEach((f, i) => {
    out.push({ path: ["fields", i, "name"], source: f.name, limit: EMBED_LIMITS.fieldName });
    out.push({ path: ["fields", i, "value"], source: f.value, limit: EMBED_LIMITS.fieldValue });
  });
  return out;
}

/**
 * Checks an embed's templates against the table (placeholders, as for the message template) and
 * Discord's limits on what cannot change: fixed text already longer than the limit, more than 6,000
 * fixed characters in all. Returns the issues, with paths under `embed`.
 */
export function checkEmbedTemplate(
  embed: EmbedTemplate,
  ctx: { columns: readonly TableColumn[] | null; operation: Operation },
): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  let fixedTotal = 0;
  for (const t of textsOf(embed)) {
    for (const problem of checkTemplate(t.source, ctx)) {
      issues.push({
        path: ["embed", ...t.path],
        code: problem.reason,
        message: problem.message,
        position: problem.position,
      });
    }
    if (t.path[0] === "url") continue;
    const fixed = fixedLength(t.source);
    fixedTotal += fixed;
    if (fixed > t.limit) {
      issues.push({
        path: ["embed", ...t.path],
        code: "embed_limit",
        message: `embed ${t.path.join(" ")} has ${fixed} characters of fixed text; Discord allows at most ${t.limit}`,
      });
    }
  }
  if (fixedTotal > EMBED_LIMITS.total) {
    issues.push({
      path: ["embed"],
      code: "embed_limit",
      message: `the embed has ${fixedTotal} characters of fixed text; Discord allows at most ${EMBED_LIMITS.total} across a message's embeds`,
    });
  }
  return issues;
}

/** The template's text outside placeholders (`{{` / `}}` count as one character). */
function fixedLength(source: string): number {
  return source.replace(/\{\{|\}\}/g, "x").replace(/\{[^{}]*\}/g, "").length;
}

/** An embed template compiled once, rendered per event. */
export interface CompiledEmbed {
  render(row: RowImage): Embed;
}

/**
 * Compiles an embed (`description` falls back to `template`, the webhook's message template).
 * Throws the first `TemplateError` (a definition that passed validation never does).
 */
export function compileEmbed(embed: EmbedTemplate, template: string, operation: Operation): CompiledEmbed {
  const c = (source: string | null | undefined) =>
    source ? compileTemplate(source, { columns: null, operation }) : null;
  const title = c(embed.title);
  const description = c(embed.description || template);
  const url = c(embed.url);
  const fields = (embed.fields ?? []).map((f) => ({
    name: c(f.name) as CompiledTemplate,
    value: c(f.value) as CompiledTemplate,
    inline: f.inline,
  }));
  const color = embed.color ?? null;
  return {
    render(row) {
      const out: Embed = {};
      const put = (t: CompiledTemplate | null, limit: number) =>
        t ? cut(t.render(row, { maxLength: 2 * (limit + 1) }), limit) : "";
      const titleText = put(title, EMBED_LIMITS.title);
      if (titleText.trim() !== "") out.title = titleText;
      const descriptionText = put(description, EMBED_LIMITS.description);
      if (descriptionText.trim() !== "") out.description = descriptionText;
      const link = url ? url.render(row, { maxLength: 2048 }).trim() : "";
      if (/^https?:\/\/[^\s]+$/i.test(link)) out.url = link;
      if (color !== null) out.color = color;
      const rendered = fields.map((f) => ({
        name: put(f.name, EMBED_LIMITS.fieldName).trim() || "\u200b",
        value: put(f.value, EMBED_LIMITS.fieldValue).trim() || "\u200b",
        ...(f.inline === undefined ? {} : { inline: f.inline }),
      }));
      if (rendered.length > 0) out.fields = rendered;
      return fitEmbed(out, EMBED_LIMITS.total);
    },
  };
}

/** Cuts `text` to `limit` (code points and UTF-16 units alike), with an ellipsis when cut. */
function cut(text: string, limit: number): string {
  let size = limit;
  let r = truncateContent(text, size);
  while (r.content.length > limit && size > 1) {
    size -= r.content.length - limit;
    r = truncateContent(text, Math.max(1, size));
  }
  return r.content;
}

/** Characters an embed counts towards the 6,000 of a message. */
export function embedSize(e: Embed): number {
  let n = (e.title?.length ?? 0) + (e.description?.length ?? 0);
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

/** Shortens the description (then drops the last fields) until the embed is at most `budget` characters. */
function fitEmbed(e: Embed, budget: number): Embed {
  let over = embedSize(e) - budget;
  if (over <= 0) return e;
  if (e.description) {
    const keep = e.description.length - over;
    if (keep > 0) e.description = cut(e.description, keep);
    else delete e.description;
    over = embedSize(e) - budget;
  }
  while (over > 0 && e.fields && e.fields.length > 0) {
    e.fields.pop();
    over = embedSize(e) - budget;
  }
  if (e.fields?.length === 0) delete e.fields;
  return e;
}

/**
 * Checks a message's embeds against Discord's limits; throws {@link EmbedLimitError} naming the
 * first one broken (what delivery guarantees before posting: rendering cuts to fit).
 */
export function assertEmbedLimits(embeds: readonly Embed[]): void {
  if (embeds.length > EMBED_LIMITS.embedsPerMessage) {
    throw new EmbedLimitError({
      field: "embeds",
      limit: EMBED_LIMITS.embedsPerMessage,
      length: embeds.length,
    });
  }
  let total = 0;
  embeds.forEach((e, i) => {
    const check = (field: string, value: string | undefined, limit: number) => {
      if (value !== undefined && value.length > limit) {
        throw new EmbedLimitError({ field: `embeds.${i}.${field}`, limit, length: value.length });
      }
    };
    check("title", e.title, EMBED_LIMITS.title);
    check("description", e.description, EMBED_LIMITS.description);
    const fields = e.fields ?? [];
    if (fields.length > EMBED_LIMITS.fields) {
      throw new EmbedLimitError({
        field: `embeds.${i}.fields`,
        limit: EMBED_LIMITS.fields,
        length: fields.length,
      });
    }
    fields.forEach((f, j) => {
      check(`fields.${j}.name`, f.name, EMBED_LIMITS.fieldName);
      check(`fields.${j}.value`, f.value, EMBED_LIMITS.fieldValue);
    });
    total += embedSize(e);
  });
  if (total > EMBED_LIMITS.total)
    throw new EmbedLimitError({ field: "embeds", limit: EMBED_LIMITS.total, length: total });
}

/**
 * Every template a webhook renders, joined (the message template, then the embed's texts): what a
 * table trigger reads its stored columns from (`templateColumns`), so an embed's columns are kept.
 */
export function renderedTemplates(template: string, embed: EmbedTemplate | null | undefined): string {
  return embed ? [template, ...textsOf(embed).map((t) => t.source)].join("\n") : template;
}

/** An embed template as stored (JSON text), or `null` when absent or unreadable. */
export function parseEmbedTemplate(text: unknown): EmbedTemplate | null {
  if (typeof text !== "string" || text === "") return null;
  try {
    const parsed = embedTemplateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
