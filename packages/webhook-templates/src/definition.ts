import { z } from "zod";
import { normalizeColumns, resolveColumn, suggestColumn, type TableColumn } from "./columns";
import {
  MAX_GIVE_UP_AFTER_MS,
  MAX_RETRY_DELAY_MS,
  MAX_RETRY_DELAYS,
  MIN_GIVE_UP_AFTER_MS,
  MIN_RETRY_DELAY_MS,
} from "./delivery-policy";
import { checkEmbedTemplate, type EmbedTemplate, embedTemplateSchema, MAX_COALESCE } from "./embed";
import {
  type DefinitionIssue,
  IdentifierError,
  WebhookDefinitionError,
  WebhookUrlError,
  WhenClauseSyntaxError,
} from "./errors";
import { assertWatchableTable } from "./identifiers";
import { usernameProblem } from "./message";
import { OPERATIONS, type Operation } from "./operation";
import { type CompiledTemplate, checkTemplate, compileTemplate } from "./template";
import { parseWebhookUrl } from "./webhook-url";
import { analyzeWhen } from "./when/analyze";
import type { WhenExpr } from "./when/ast";
import { parseWhen } from "./when/parser";

/** The longest message template accepted, in characters. */
export const MAX_TEMPLATE_LENGTH = 4000;
/** The most mention columns a definition may opt in. */
export const MAX_MENTION_COLUMNS = 10;

/**
 * A webhook definition: where to post, what to say, and which data change fires it.
 */
export interface WebhookDefinition {
  /** Discord webhook URL (`https://discord.com/api/webhooks/{id}/{token}`). Holds a secret token. */
  url: string;
  /** Message template: `{column}`, `{new.column}`, `{old.column}`, `{{`/`}}` for literal braces. */
  template: string;
  /** Display name override (1–80 characters, no "clyde"/"discord"); `null` keeps the webhook's name. */
  username: string | null;
  /** Avatar override (an https URL); `null` keeps the webhook's avatar. */
  avatarUrl: string | null;
  /** The watched table. */
  table: string;
  /** The data change that fires the webhook. */
  operation: Operation;
  /** WHEN condition in guildkit's grammar, or `null` to fire on every change. */
  when: string | null;
  /** A disabled webhook has no trigger and sends nothing. */
  enabled: boolean;
  /** Columns holding Discord user ids whose users the message may ping (opt-in; default none). */
  mentionUserColumns: string[];
  /**
   * This webhook's own retry schedule: the wait in ms after each failed attempt (a 5xx, no answer, a
   * timeout); a failure with no wait left is dead. `null` (default): 5 s, 5 min, 30 min, 2 h, 5 h,
   * 10 h, 10 h. At most 20 waits of 1 s to 7 days; `[]` never retries.
   */
  retryDelaysMs: number[] | null;
  /**
   * Give up on a failing event once its next retry would come more than this many ms after the
   * event was created (1 min to 30 days); `null` (default): the schedule alone decides.
   */
  giveUpAfterMs: number | null;
  /**
   * Render each event as this embed (title, description, url, color, fields — each text a template;
   * the description defaults to `template`) instead of a text message; `null` (default): text.
   */
  embed: EmbedTemplate | null;
  /**
   * Opt-in: up to this many of the webhook's events claimed together (a backlog: more due than the
   * limits let out) go out as one message, one embed each, in order (2–10; needs `embed`). `null`
   * (default): one message per event.
   */
  coalesce: number | null;
}

const optionalText = (max: number, what: string) =>
  z
    .union([z.string(), z.null()], { error: `${what} must be text or null` })
    .optional()
    .transform((v) => (v == null || v.trim() === "" ? null : v))
    .pipe(z.string().max(max, `${what} is longer than ${max} characters`).nullable());

/**
 * The shape of a definition as an API receives it (zod). Unknown keys are refused; `username`,
 * `avatarUrl`, `when` and `mentionUserColumns` are optional, `enabled` defaults to true, and
 * `operation` is case-insensitive. Checks that need the table (columns, placeholders, the WHEN
 * grammar) are done by {@link validateWebhookDefinition}.
 */
export const webhookDefinitionSchema = z.strictObject({
  url: z.string({ error: "url is required: the Discord webhook URL" }).max(600, "url is too long"),
  template: z
    .string({ error: "template is required: the message text with {column} placeholders" })
    .min(1, "template is empty")
    .max(MAX_TEMPLATE_LENGTH, `template is longer than ${MAX_TEMPLATE_LENGTH} characters`),
  username: optionalText(200, "username"),
  avatarUrl: optionalText(2048, "avatarUrl").refine((v) => v === null || isHttpsUrl(v), {
    message: "avatarUrl must be an https URL",
  }),
  table: z.string({ error: "table is required: the table whose changes fire the webhook" }),
  operation: z
    .string({ error: "operation is required: INSERT, UPDATE or DELETE" })
    .transform((v) => v.trim().toUpperCase())
    .pipe(
      z.enum(OPERATIONS as [Operation, ...Operation[]], {
        error: "operation must be INSERT, UPDATE or DELETE",
      }),
    ),
  when: optionalText(4000, "when"),
  enabled: z.boolean({ error: "enabled must be true or false" }).default(true),
  mentionUserColumns: z
    .array(z.string({ error: "mentionUserColumns must list column names" }), {
      error: "mentionUserColumns must be a list of column names",
    })
    .max(MAX_MENTION_COLUMNS, `mentionUserColumns may list at most ${MAX_MENTION_COLUMNS} columns`)
    .default([]),
  retryDelaysMs: z
    .array(
      z
        .number({ error: "each retry wait must be a number of milliseconds" })
        .int("each retry wait must be a whole number of milliseconds")
        .min(MIN_RETRY_DELAY_MS, `each retry wait must be at least ${MIN_RETRY_DELAY_MS} ms (1 s)`)
        .max(MAX_RETRY_DELAY_MS, `each retry wait must be at most ${MAX_RETRY_DELAY_MS} ms (7 days)`),
      { error: "retryDelaysMs must be a list of waits in milliseconds, or null for the default" },
    )
    .max(MAX_RETRY_DELAYS, `retryDelaysMs may list at most ${MAX_RETRY_DELAYS} waits`)
    .nullable()
    .default(null),
  giveUpAfterMs: z
    .number({ error: "giveUpAfterMs must be a number of milliseconds, or null" })
    .int("giveUpAfterMs must be a whole number of milliseconds")
    .min(MIN_GIVE_UP_AFTER_MS, `giveUpAfterMs must be at least ${MIN_GIVE_UP_AFTER_MS} ms (1 min)`)
    .max(MAX_GIVE_UP_AFTER_MS, `giveUpAfterMs must be at most ${MAX_GIVE_UP_AFTER_MS} ms (30 days)`)
    .nullable()
    .default(null),
  embed: embedTemplateSchema.nullable().default(null),
  coalesce: z
    .number({ error: "coalesce must be a number of events, or null" })
    .int("coalesce must be a whole number of events")
    .min(2, "coalesce must be at least 2 events (null sends one message per event)")
    .max(MAX_COALESCE, `coalesce must be at most ${MAX_COALESCE} events (Discord's 10 embeds per message)`)
    .nullable()
    .default(null),
});

/** The input type of {@link webhookDefinitionSchema}. */
export type WebhookDefinitionInput = z.input<typeof webhookDefinitionSchema>;

/** What a definition is validated against. */
export interface DefinitionContext {
  /** The watched table's columns; `null` when the table does not exist. */
  columns: readonly TableColumn[] | null;
  /** Tables that exist, named in the message when `table` does not. */
  tables?: readonly string[];
  /**
   * The table's name as the database spells it, when the store looked it up ignoring case; the
   * validated definition uses it.
   */
  tableName?: string;
  /** An API base other than Discord's whose webhook URLs are accepted too (a simulator). */
  webhookBaseUrl?: string | null;
  /**
   * Tables no webhook may watch besides the core's own list: the store's tables (what its
   * migrations create or manage). A definition naming one gets a `table_reserved` issue at `table`.
   */
  reservedTables?: Iterable<string>;
}

/** A definition that passed validation, with its template compiled and its WHEN condition checked. */
export interface ValidDefinition {
  definition: WebhookDefinition;
  template: CompiledTemplate;
  /** The checked WHEN tree (column names as the table spells them), or `null`. */
  when: WhenExpr | null;
}

/** The result of {@link validateWebhookDefinition}. */
export type DefinitionValidation =
  | ({ ok: true } & ValidDefinition)
  | { ok: false; issues: DefinitionIssue[] };

/**
 * Validates a webhook definition against its table and names every problem: the shape (zod), the
 * URL, the username against Discord's rules, the table name, every template placeholder, the WHEN
 * condition (grammar, columns, rows, types) and the mention columns.
 */
export function validateWebhookDefinition(input: unknown, ctx: DefinitionContext): DefinitionValidation {
  const issues: DefinitionIssue[] = [];
  const parsed = webhookDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push({
        path: issue.path.filter((p): p is string | number => typeof p !== "symbol"),
        code: issue.code,
        message: issue.message,
      });
    }
  }
  const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const operation = parsed.success
    ? parsed.data.operation
    : typeof raw.operation === "string" &&
        OPERATIONS.includes(raw.operation.trim().toUpperCase() as Operation)
      ? (raw.operation.trim().toUpperCase() as Operation)
      : null;

  if (typeof raw.url === "string") {
    try {
      parseWebhookUrl(raw.url, { baseUrl: ctx.webhookBaseUrl ?? null });
    } catch (err) {
      if (!(err instanceof WebhookUrlError)) throw err;
      issues.push({ path: ["url"], code: `url_${err.reason}`, message: err.message });
    }
  }

  if (typeof raw.username === "string" && raw.username.trim() !== "") {
    const problem = usernameProblem(raw.username);
    if (problem) issues.push({ path: ["username"], code: "invalid_username", message: problem });
  }

  let tableOk = false;
  if (typeof raw.table === "string") {
    const problem = tableIssue(raw.table, ctx);
    if (problem) issues.push(problem);
    tableOk = problem === null;
    if (tableOk && ctx.columns === null) {
      tableOk = false;
      const tables = ctx.tables ?? [];
      issues.push({
        path: ["table"],
        code: "unknown_table",
        message: `table ${raw.table} does not exist${tables.length > 0 ? `; tables: ${tables.join(", ")}` : ""}`,
      });
    }
  }
  const columns = tableOk ? ctx.columns : null;

  if (typeof raw.template === "string" && operation !== null) {
    for (const problem of checkTemplate(raw.template, { columns, operation })) {
      issues.push({
        path: ["template"],
        code: problem.reason,
        message: problem.message,
        position: problem.position,
      });
    }
  }

  let whenExpr: WhenExpr | null = null;
  if (typeof raw.when === "string" && raw.when.trim() !== "") {
    try {
      whenExpr = parseWhen(raw.when);
    } catch (err) {
      if (!(err instanceof WhenClauseSyntaxError)) throw err;
      issues.push({ path: ["when"], code: err.code, message: err.message, position: err.position });
    }
    if (whenExpr && columns !== null && operation !== null) {
      const analysis = analyzeWhen(whenExpr, { columns, operation });
      whenExpr = analysis.expr;
      for (const problem of analysis.problems) {
        issues.push({
          path: ["when"],
          code: problem.code,
          message: problem.message,
          position: problem.position,
        });
      }
    }
  }

  const mentionColumns: string[] = [];
  if (Array.isArray(raw.mentionUserColumns) && columns !== null) {
    const infos = normalizeColumns(columns);
    raw.mentionUserColumns.forEach((name, index) => {
      if (typeof name !== "string") return;
      const found = resolveColumn(infos, name);
      if (found) {
        mentionColumns.push(found.name);
      } else {
        const suggestion = suggestColumn(infos, name);
        issues.push({
          path: ["mentionUserColumns", index],
          code: "unknown_column",
          message: `mention column ${name} does not exist${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
        });
      }
    });
  }

  if (parsed.success && parsed.data.embed && operation !== null) {
    issues.push(...checkEmbedTemplate(parsed.data.embed, { columns, operation }));
  }
  if (parsed.success && parsed.data.coalesce !== null && parsed.data.embed === null) {
    issues.push({
      path: ["coalesce"],
      code: "coalesce_needs_embed",
      message: "coalesce needs an embed: each event of a coalesced message is one embed",
    });
  }

  if (issues.length > 0 || !parsed.success || operation === null) return { ok: false, issues };
  const definition: WebhookDefinition = {
    url: parsed.data.url.trim(),
    template: parsed.data.template,
    username: parsed.data.username === null ? null : parsed.data.username.trim(),
    avatarUrl: parsed.data.avatarUrl,
    table: ctx.tableName ?? parsed.data.table,
    operation,
    when: parsed.data.when,
    enabled: parsed.data.enabled,
    mentionUserColumns: mentionColumns,
    retryDelaysMs: parsed.data.retryDelaysMs,
    giveUpAfterMs: parsed.data.giveUpAfterMs,
    embed: parsed.data.embed,
    coalesce: parsed.data.coalesce,
  };
  return {
    ok: true,
    definition,
    template: compileTemplate(definition.template, { columns, operation }),
    when: whenExpr,
  };
}

/**
 * {@link validateWebhookDefinition}, throwing {@link WebhookDefinitionError} (with every issue)
 * when the definition is invalid.
 */
export function parseWebhookDefinition(input: unknown, ctx: DefinitionContext): ValidDefinition {
  const result = validateWebhookDefinition(input, ctx);
  if (!result.ok) throw new WebhookDefinitionError(result.issues);
  return { definition: result.definition, template: result.template, when: result.when };
}

/**
 * The issue at `table` for a name no webhook may watch — not an identifier, one of guildkit's or
 * `ctx.reservedTables`, or a catalog — or `null` when it may be watched (whether it exists is not
 * checked). The store uses it to refuse a preview of such a table before reading it.
 */
export function tableIssue(
  table: string,
  ctx: Pick<DefinitionContext, "reservedTables"> = {},
): DefinitionIssue | null {
  try {
    assertWatchableTable(table, { reservedTables: ctx.reservedTables });
    return null;
  } catch (err) {
    if (!(err instanceof IdentifierError)) throw err;
    return { path: ["table"], code: `table_${err.reason}`, message: err.message };
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}
