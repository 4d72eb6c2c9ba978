import type { Kysely } from "kysely";
import { encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import { columnNames } from "../migrations/ddl";
import type { Database } from "../schema";
import { assertIdentifier } from "./dialect";

/** A rule column the `members` table does not have. */
export class UnknownMemberColumnError extends Error {
  override readonly name = "UnknownMemberColumnError";
  readonly code = "unknown_member_column";
  readonly column: string;
  constructor(column: string) {
    super(`members has no column "${column}"; add it to the members table or fix the entitlement rules`);
    this.column = column;
  }
}

/** What every part of the role-sync store works with. */
export interface RoleSyncContext {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  /** A time as the dialect stores it. */
  t(date: Date): Date | string;
  /** A boolean as the dialect stores it. */
  bool(value: boolean): boolean | number;
  /**
   * Validates rule columns against `members` (re-reading its columns once on a miss); resolves them.
   * Throws {@link UnknownMemberColumnError}.
   */
  checkColumns(columns: readonly string[]): Promise<string[]>;
}

/** Builds the context of one role-sync store. */
export function createRoleSyncContext(db: Kysely<Database>, dialect: Dialect, clock: Clock): RoleSyncContext {
  let knownColumns: Set<string> | null = null;
  return {
    db,
    dialect,
    clock,
    t: (d) => encodeTime(dialect, d),
    bool: (b) => (dialect === "postgres" ? b : b ? 1 : 0),
    async checkColumns(columns) {
      if (columns.length === 0) return [];
      knownColumns ??= new Set(await columnNames(db, dialect, "members"));
      for (const column of columns) {
        assertIdentifier(column);
        if (!knownColumns.has(column)) {
          knownColumns = new Set(await columnNames(db, dialect, "members"));
          if (!knownColumns.has(column)) throw new UnknownMemberColumnError(column);
        }
      }
      return [...columns];
    },
  };
}
