import type { Dialect } from "./dialect";

/**
 * A write broke a unique constraint, e.g. linking a Discord account that another member holds
 * (`table: "members", columns: ["discord_user_id"]`).
 */
export class UniqueViolationError extends Error {
  override readonly name = "UniqueViolationError";
  readonly code = "unique_violation";
  /** The table, when the driver says (`null` otherwise). */
  readonly table: string | null;
  /** The columns of the violated constraint, when known (may be empty). */
  readonly columns: string[];
  /** The constraint or index name, when the driver says. */
  readonly constraint: string | null;

  constructor(fields: {
    table: string | null;
    columns: string[];
    constraint: string | null;
    cause?: unknown;
  }) {
    const target = fields.columns.length
      ? `${fields.table ?? "?"}.${fields.columns.join(", ")}`
      : (fields.constraint ?? fields.table ?? "a unique constraint");
    super(`duplicate value for ${target}`, { cause: fields.cause });
    this.table = fields.table;
    this.columns = fields.columns;
    this.constraint = fields.constraint;
  }
}

interface DriverErrorShape {
  code?: unknown;
  message?: unknown;
  table?: unknown;
  constraint?: unknown;
  detail?: unknown;
}

/**
 * Translates a driver error into a store error: unique violations (better-sqlite3's
 * `SQLITE_CONSTRAINT_UNIQUE`/`_PRIMARYKEY`, pg's `23505`) become {@link UniqueViolationError};
 * anything else is returned unchanged. Use as `catch (e) { throw toStoreError(e, dialect) }`.
 */
export function toStoreError(error: unknown, dialect: Dialect): unknown {
  if (!isUniqueViolation(error, dialect)) return error;
  const e = error as DriverErrorShape;
  const message = typeof e.message === "string" ? e.message : "";
  if (dialect === "postgres") {
    const detail = typeof e.detail === "string" ? e.detail : "";
    const columns = /^Key \(([^)]*)\)=/.exec(detail)?.[1]?.split(/,\s*/) ?? [];
    return new UniqueViolationError({
      table: typeof e.table === "string" ? e.table : null,
      columns,
      constraint: typeof e.constraint === "string" ? e.constraint : null,
      cause: error,
    });
  }
  const named = /UNIQUE constraint failed: index '([^']+)'/.exec(message);
  if (named)
    return new UniqueViolationError({ table: null, columns: [], constraint: named[1] ?? null, cause: error });
  const list = /(?:UNIQUE|PRIMARY KEY) constraint failed: (.+)$/.exec(message)?.[1] ?? "";
  const pairs = list.split(/,\s*/).map((p) => p.split("."));
  return new UniqueViolationError({
    table: pairs[0]?.length === 2 ? (pairs[0][0] ?? null) : null,
    columns: pairs.filter((p) => p.length === 2).map((p) => p[1] ?? ""),
    constraint: null,
    cause: error,
  });
}

/** Whether a driver error is a unique-constraint violation on the given dialect. */
export function isUniqueViolation(error: unknown, dialect: Dialect): boolean {
  if (error instanceof UniqueViolationError) return true;
  if (typeof error !== "object" || error === null) return false;
  const code = (error as DriverErrorShape).code;
  return dialect === "postgres"
    ? code === "23505"
    : code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
