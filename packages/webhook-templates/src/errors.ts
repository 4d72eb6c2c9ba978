/**
 * Every failure this package reports is one of these classes, each with `name`, a string `code`
 * and the fields a caller needs to show or act on it.
 */

/**
 * A WHEN condition is not in the grammar. `position` is the 0-based offset (UTF-16 code units) in the
 * condition text where parsing stopped, `expected` what the grammar allowed there, `found` what was
 * there instead (`end of input` at the end).
 */
export class WhenClauseSyntaxError extends Error {
  override readonly name = "WhenClauseSyntaxError";
  readonly code = "when_syntax";
  readonly position: number;
  readonly expected: string;
  readonly found: string;

  constructor(init: { position: number; expected: string; found: string; detail?: string }) {
    super(
      init.detail ??
        `WHEN condition: expected ${init.expected} at position ${init.position}, found ${init.found}`,
    );
    this.position = init.position;
    this.expected = init.expected;
    this.found = init.found;
  }
}

/** Why a column reference in a WHEN condition was refused. */
export type WhenClauseColumnReason = "unknown_column" | "old_on_insert" | "new_on_delete";

/**
 * A WHEN condition names a column the table does not have, or a row the operation does not have
 * (`OLD.` on INSERT, `NEW.` on DELETE). `columns` lists the table's real columns.
 */
export class WhenClauseColumnError extends Error {
  override readonly name = "WhenClauseColumnError";
  readonly code = "when_column";
  readonly reason: WhenClauseColumnReason;
  readonly position: number;
  /** The reference as written, e.g. `NEW.emial`. */
  readonly reference: string;
  readonly column: string;
  readonly columns: readonly string[];

  constructor(
    message: string,
    init: {
      reason: WhenClauseColumnReason;
      position: number;
      reference: string;
      column: string;
      columns: readonly string[];
    },
  ) {
    super(message);
    this.reason = init.reason;
    this.position = init.position;
    this.reference = init.reference;
    this.column = init.column;
    this.columns = init.columns;
  }
}

/**
 * A WHEN condition compares values of kinds that cannot be compared the same way on SQLite and
 * Postgres, or that Postgres refuses outright: a text column with a number, a boolean column with a
 * number, a number column with a string that is not a number, a date/time column with anything but
 * an ISO-8601 date or timestamp string, a UUID column with anything but a UUID string, a JSON column
 * in anything but `IS [NOT] NULL`. Only raised when the column types are known. `position` is where
 * the comparison (or the `IN` list item) starts; `expected` says what would have been accepted.
 */
export class WhenClauseTypeError extends Error {
  override readonly name = "WhenClauseTypeError";
  readonly code = "when_type";
  readonly position: number;
  readonly expected: string;

  constructor(message: string, init: { position: number; expected: string }) {
    super(message);
    this.position = init.position;
    this.expected = init.expected;
  }
}

/** Any problem found in a WHEN condition. */
export type WhenClauseError = WhenClauseSyntaxError | WhenClauseColumnError | WhenClauseTypeError;

/** Why a message template was refused. */
export type TemplateErrorReason =
  | "unknown_placeholder"
  | "invalid_placeholder"
  | "unclosed_placeholder"
  | "unmatched_brace"
  | "row_not_available";

/**
 * A message template is invalid. For an unknown placeholder, `columns` lists the table's columns and
 * `suggestion` the closest one, when there is one.
 */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
  readonly code = "template";
  readonly reason: TemplateErrorReason;
  /** 0-based offset in the template where the problem starts. */
  readonly position: number;
  /** The placeholder as written, braces included (`{emial}`), or the offending character. */
  readonly placeholder: string;
  readonly columns: readonly string[];
  readonly suggestion: string | null;

  constructor(
    message: string,
    init: {
      reason: TemplateErrorReason;
      position: number;
      placeholder: string;
      columns?: readonly string[];
      suggestion?: string | null;
    },
  ) {
    super(message);
    this.reason = init.reason;
    this.position = init.position;
    this.placeholder = init.placeholder;
    this.columns = init.columns ?? [];
    this.suggestion = init.suggestion ?? null;
  }
}

/** Why a name was refused as an SQL identifier. */
export type IdentifierErrorReason = "empty" | "too_long" | "invalid_characters" | "reserved";

/**
 * A table or column name cannot be used in generated SQL: it must match `[A-Za-z_][A-Za-z0-9_]*`, be
 * at most 63 characters (Postgres's limit), and not name one of guildkit's own tables.
 */
export class IdentifierError extends Error {
  override readonly name = "IdentifierError";
  readonly code = "identifier";
  readonly identifier: string;
  readonly reason: IdentifierErrorReason;

  constructor(message: string, init: { identifier: string; reason: IdentifierErrorReason }) {
    super(message);
    this.identifier = init.identifier;
    this.reason = init.reason;
  }
}

/** One problem in a webhook definition: where (`path`, e.g. `["when"]`) and what. */
export interface DefinitionIssue {
  /** Field path in the definition input, e.g. `["username"]` or `["mentionUserColumns", 1]`. */
  path: (string | number)[];
  /** Machine-readable kind, e.g. `too_long`, `unknown_placeholder`, `when_syntax`. */
  code: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** 0-based offset inside the field's text (template, WHEN condition), when it applies. */
  position?: number;
}

/**
 * A webhook definition failed validation. `issues` names every problem found, not only the first.
 */
export class WebhookDefinitionError extends Error {
  override readonly name = "WebhookDefinitionError";
  readonly code = "invalid_definition";
  readonly issues: readonly DefinitionIssue[];

  constructor(issues: readonly DefinitionIssue[]) {
    super(
      `invalid webhook definition: ${issues
        .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
        .join("; ")}`,
    );
    this.issues = issues;
  }
}

/** Why a Discord webhook URL was refused. The URL itself is never repeated (it holds the token). */
export type WebhookUrlErrorReason = "not_a_url" | "not_https" | "unknown_host" | "not_a_webhook_path";

/** A Discord webhook URL could not be parsed. The message never repeats the URL. */
export class WebhookUrlError extends Error {
  override readonly name = "WebhookUrlError";
  readonly code = "webhook_url";
  readonly reason: WebhookUrlErrorReason;

  constructor(message: string, reason: WebhookUrlErrorReason) {
    super(message);
    this.reason = reason;
  }
}

/**
 * A message's embeds break one of Discord's limits (`field`: `embeds`, `embeds.0.title`,
 * `embeds.2.fields.3.value`, …; `length` against `limit`). Discord would answer 400 / 50035.
 *
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */
export class EmbedLimitError extends Error {
  override readonly name = "EmbedLimitError";
  readonly code = "embed_limit";
  readonly field: string;
  readonly limit: number;
  readonly length: number;

  constructor(init: { field: string; limit: number; length: number }) {
    super(`${init.field} is ${init.length} long; Discord allows at most ${init.limit}`);
    this.field = init.field;
    this.limit = init.limit;
    this.length = init.length;
  }
}

/** Why a redelivery time range was refused. */
export type RedeliverRangeReason = "invalid_since" | "invalid_until" | "until_without_since" | "empty_range";

/** A redelivery range (`since` ≤ created_at < `until`) is not a pair of valid, ordered times. Nothing was changed. */
export class RedeliverRangeError extends Error {
  override readonly name = "RedeliverRangeError";
  readonly code = "invalid_range";
  readonly reason: RedeliverRangeReason;
  /** The field at fault. */
  readonly parameter: "since" | "until";

  constructor(reason: RedeliverRangeReason) {
    super(
      reason === "invalid_since"
        ? "since must be an ISO 8601 time, e.g. 2026-12-01T14:00:00Z"
        : reason === "invalid_until"
          ? "until must be an ISO 8601 time, e.g. 2026-12-01T14:00:00Z"
          : reason === "until_without_since"
            ? "until needs since"
            : "until must be later than since",
    );
    this.reason = reason;
    this.parameter = reason === "invalid_since" ? "since" : "until";
  }
}
