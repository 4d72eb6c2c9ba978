import { normalizeColumns, resolveColumn, type TableColumn } from "./columns";
import { validateWebhookDefinition } from "./definition";
import { WhenClauseSyntaxError } from "./errors";
import { isSafeIdentifier } from "./identifiers";
import { usernameProblem } from "./message";
import { OPERATIONS, type Operation } from "./operation";
import type { Operand, WhenExpr } from "./when/ast";
import { parseWhen } from "./when/parser";
import { printWhen } from "./when/print";
import { mapOperands, mapPredicates } from "./when/walk";

/**
 * A `discord_webhooks` row as the seed system left it. Columns it may lack (older databases) are
 * empty strings or `null`.
 */
export interface LegacyWebhookRow {
  id: string;
  webhookUrl: string;
  /** The legacy event filter (`EmailConfirmed`, …), or empty. */
  triggerEvent: string | null;
  messageTemplate: string;
  username: string | null;
  enabled: boolean;
  triggerTable: string | null;
  triggerOp: string | null;
  whenClause: string | null;
}

/** A `discord_webhook_conditions` row (ordered by its id). */
export interface LegacyCondition {
  columnName: string;
  operator: string;
  value: string | null;
  /** `AND` or `OR` joining it to the previous condition; ignored on the first. */
  logic: string | null;
}

/** How one legacy row becomes a definition in the new model. */
export interface LegacyWebhookPlan {
  id: string;
  /** The watched table, or `null` when none can be determined (the webhook is then disabled). */
  table: string | null;
  operation: Operation | null;
  /** The WHEN condition, event filter included; kept even when rejected, so nothing is lost. */
  when: string | null;
  /** The template, rewritten so that it renders exactly as before (unknown placeholders become literal text). */
  template: string;
  username: string | null;
  enabled: boolean;
  /** Why the webhook is disabled after the upgrade, or `null`. */
  disabledReason: string | null;
  /** What the upgrade changed, for the event log. */
  notes: string[];
}

/** The table the legacy fixed trigger (`discord_webhook_on_member_event`) watched. */
export const LEGACY_EVENT_TABLE = "member_events";
/** The column of {@link LEGACY_EVENT_TABLE} holding the event name a legacy `trigger_event` filtered on. */
export const LEGACY_EVENT_COLUMN = "event";
/** Legacy events sent by application code, not by a table trigger. */
const APP_LEVEL_EVENTS = /^(Signup|Print.*)$/;
/** The legacy fixed triggers dropped by the upgrade (besides every `discord_webhook_<id>`). */
export const LEGACY_TRIGGERS: readonly string[] = [
  "members_signup_notification",
  "discord_webhook_on_member_event",
];

const LEGACY_OPERATORS: Record<string, string> = {
  "=": "=",
  "==": "=",
  "!=": "!=",
  "<>": "!=",
  ">": ">",
  "<": "<",
  ">=": ">=",
  "<=": "<=",
  LIKE: "LIKE",
  "NOT LIKE": "NOT LIKE",
  "IS NULL": "IS NULL",
  "IS NOT NULL": "IS NOT NULL",
};

/**
 * Plans the upgrade of one legacy webhook: the event filter of `trigger_event` becomes part of the
 * WHEN condition (`NEW.event = '<event>'` on `member_events` INSERT); `discord_webhook_conditions`
 * are folded in with `OLD.` for DELETE triggers — ANDed with the `when_clause` when the row has one
 * too (the seed ignored them then); a legacy `when_clause` written with `NEW.` for a DELETE trigger
 * is rewritten to `OLD.`; everything is then
 * checked by the grammar and the full definition validation. Whatever is rejected disables the
 * webhook with a recorded reason — nothing is dropped.
 */
export function planLegacyWebhook(input: {
  row: LegacyWebhookRow;
  conditions: readonly LegacyCondition[];
  columnsOf: (table: string) => readonly TableColumn[] | null;
  webhookBaseUrl?: string | null;
  /** The store's own tables (see `DefinitionContext.reservedTables`): a row naming one is disabled. */
  reservedTables?: Iterable<string>;
}): LegacyWebhookPlan {
  const { row } = input;
  const notes: string[] = [];
  const problems: string[] = [];
  const event = (row.triggerEvent ?? "").trim();
  let table = (row.triggerTable ?? "").trim() || null;
  let operation: Operation | null = null;

  if (table === null && event !== "") {
    if (APP_LEVEL_EVENTS.test(event)) {
      problems.push(
        `legacy event "${event}" was sent by application code, not by a database change; define the table and operation that stand for it`,
      );
    } else {
      table = LEGACY_EVENT_TABLE;
      operation = "INSERT";
      notes.push(`legacy event "${event}" now fires on ${LEGACY_EVENT_TABLE} INSERT`);
    }
  } else if (table !== null) {
    const op = (row.triggerOp ?? "").trim().toUpperCase();
    if (OPERATIONS.includes(op as Operation)) operation = op as Operation;
    else problems.push(`legacy trigger operation "${row.triggerOp ?? ""}" is not INSERT, UPDATE or DELETE`);
  } else {
    problems.push("the legacy webhook names neither a table nor an event");
  }

  const columns = table !== null && isSafeIdentifier(table) ? input.columnsOf(table) : null;
  const rowRef = operation === "DELETE" ? "OLD" : "NEW";
  const parts: string[] = [];

  if (event !== "" && table === LEGACY_EVENT_TABLE && operation !== null) {
    const hasEventColumn =
      columns !== null && resolveColumn(normalizeColumns(columns), LEGACY_EVENT_COLUMN) !== null;
    if (!hasEventColumn) {
      problems.push(
        `legacy event "${event}" needs ${LEGACY_EVENT_TABLE}.${LEGACY_EVENT_COLUMN}, which does not exist`,
      );
    }
    parts.push(`${rowRef}.${LEGACY_EVENT_COLUMN} = ${quote(event)}`);
    notes.push(`kept the event filter ${rowRef}.${LEGACY_EVENT_COLUMN} = ${quote(event)}`);
  }

  const legacyWhen = (row.whenClause ?? "").trim();
  if (legacyWhen !== "") parts.push(rewriteForDelete(legacyWhen, operation, notes));
  if (input.conditions.length > 0) {
    // The seed read its conditions only when `when_clause` was empty; a row with both would lose
    // them. Both are kept: (when_clause) AND (conditions).
    const built = conditionsToWhen(input.conditions, rowRef);
    parts.push(built.text);
    if (!built.ok) problems.push(built.problem);
    else if (legacyWhen !== "")
      notes.push(
        `combined the when_clause with ${input.conditions.length} legacy condition(s) as (when_clause) AND (conditions)`,
      );
    else notes.push(`folded ${input.conditions.length} legacy condition(s) into the WHEN condition`);
  }
  const when =
    parts.length === 0
      ? null
      : parts.length === 1
        ? (parts[0] as string)
        : parts.map((p) => `(${p})`).join(" AND ");

  const template =
    columns !== null ? rewriteLegacyTemplate(row.messageTemplate, columns, notes) : row.messageTemplate;

  let username = row.username?.trim() || null;
  if (username !== null && usernameProblem(username) !== null) {
    notes.push(`dropped the username "${username}": ${usernameProblem(username)}`);
    username = null;
  }

  if (table !== null && operation !== null) {
    const result = validateWebhookDefinition(
      {
        url: row.webhookUrl,
        template,
        username,
        table,
        operation,
        when,
        enabled: row.enabled,
        mentionUserColumns: [],
      },
      { columns, webhookBaseUrl: input.webhookBaseUrl ?? null, reservedTables: input.reservedTables },
    );
    if (!result.ok) {
      for (const issue of result.issues) {
        const text = issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
        if (!problems.includes(text)) problems.push(text);
      }
    }
  }

  const disabledReason =
    problems.length > 0 ? `upgrade from the legacy webhook: ${problems.join("; ")}` : null;
  return {
    id: row.id,
    table,
    operation,
    when,
    template,
    username,
    enabled: row.enabled && disabledReason === null,
    disabledReason,
    notes,
  };
}

/**
 * Builds a WHEN condition from legacy conditions, as the seed joined them (left to right, SQL
 * precedence), with `rowRef` (`OLD` for DELETE). Unknown operators or logic words and column
 * names that are not identifiers are refused, never skipped.
 */
export function conditionsToWhen(
  conditions: readonly LegacyCondition[],
  rowRef: "NEW" | "OLD",
): { ok: true; text: string } | { ok: false; text: string; problem: string } {
  const pieces: string[] = [];
  const refused: string[] = [];
  conditions.forEach((c, i) => {
    const op = LEGACY_OPERATORS[c.operator.trim().toUpperCase().replace(/\s+/g, " ")];
    const column = c.columnName.trim();
    const where = `condition ${i + 1}`;
    if (!op) refused.push(`${where}: operator "${c.operator}" is not supported`);
    if (!isSafeIdentifier(column))
      refused.push(`${where}: column "${c.columnName}" is not a plain column name`);
    let piece: string;
    if (op === "IS NULL" || op === "IS NOT NULL") piece = `${rowRef}.${column} ${op}`;
    else piece = `${rowRef}.${column} ${op ?? c.operator} ${quote(c.value ?? "")}`;
    if (i > 0) {
      const logic = (c.logic ?? "").trim().toUpperCase();
      if (logic !== "" && logic !== "AND" && logic !== "OR")
        refused.push(`${where}: logic "${c.logic}" is not AND or OR`);
      piece = `${logic === "OR" ? "OR" : "AND"} ${piece}`;
    }
    pieces.push(piece);
  });
  const text = pieces.join(" ");
  if (refused.length > 0)
    return { ok: false, text, problem: `legacy conditions refused: ${refused.join("; ")}` };
  return { ok: true, text };
}

/**
 * Rewrites a legacy template so that it renders as the seed rendered it: `{column}` of a real
 * column stays a placeholder; any other `{word}` and stray braces become literal text.
 */
export function rewriteLegacyTemplate(
  template: string,
  columns: readonly TableColumn[],
  notes: string[] = [],
): string {
  const names = new Set(normalizeColumns(columns).map((c) => c.name));
  const escaped: string[] = [];
  let out = "";
  let last = 0;
  for (const m of template.matchAll(/\{([0-9A-Za-z_]+)\}/g)) {
    out += escapeBraces(template.slice(last, m.index));
    const name = m[1] as string;
    if (names.has(name) && /^[A-Za-z_]/.test(name)) {
      out += `{${name}}`;
    } else {
      out += `{{${name}}}`;
      escaped.push(m[0]);
    }
    last = m.index + m[0].length;
  }
  out += escapeBraces(template.slice(last));
  if (escaped.length > 0) notes.push(`kept ${escaped.join(", ")} as literal text (no such column)`);
  return out;
}

function escapeBraces(s: string): string {
  return s.replaceAll("{", "{{").replaceAll("}", "}}");
}

function rewriteForDelete(text: string, operation: Operation | null, notes: string[]): string {
  if (operation !== "DELETE") return text;
  let expr: WhenExpr;
  try {
    expr = parseWhen(text);
  } catch (err) {
    if (err instanceof WhenClauseSyntaxError) return text; // reported by the validation
    throw err;
  }
  let changed = false;
  const fix = (o: Operand): Operand => {
    if (o.kind === "column" && o.row === "NEW") {
      changed = true;
      return { ...o, row: "OLD" };
    }
    return o;
  };
  const fixed = mapPredicates(expr, (predicate) => mapOperands(predicate, fix));
  if (!changed) return text;
  notes.push("rewrote NEW. to OLD. in the WHEN condition of a DELETE trigger");
  return printWhen(fixed);
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
