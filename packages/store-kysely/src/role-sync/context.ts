import { type Kysely, type RawBuilder, sql } from "kysely";
import { encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import type { MembersTable } from "../members-table/shape";
import { columnNames } from "../migrations/ddl";
import type { Database } from "../schema";
import { assertIdentifier } from "./dialect";

/** A rule column the members table does not have. */
export class UnknownMemberColumnError extends Error {
  override readonly name = "UnknownMemberColumnError";
  readonly code = "unknown_member_column";
  readonly column: string;
  constructor(column: string, table = "members") {
    super(`${table} has no column "${column}"; add it to the ${table} table or fix the entitlement rules`);
    this.column = column;
  }
}

/** What every part of the role-sync store works with. */
export interface RoleSyncContext {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  /** Where the members are (table and column names). */
  members: MembersTable;
  /** The members table, for `from ${…}` in raw SQL. */
  table: RawBuilder<unknown>;
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
export function createRoleSyncContext(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  members: MembersTable,
): RoleSyncContext {
  let knownColumns: Set<string> | null = null;
  const read = async () => new Set(await columnNames(db, dialect, members.table));
  return {
    db,
    dialect,
    clock,
    members,
    table: sql.table(members.table),
    t: (d) => encodeTime(dialect, d),
    bool: (b) => (dialect === "postgres" ? b : b ? 1 : 0),
    async checkColumns(columns) {
      if (columns.length === 0) return [];
      knownColumns ??= await read();
      for (const column of columns) {
        assertIdentifier(column);
        if (!knownColumns.has(column)) {
          knownColumns = await read();
          if (!knownColumns.has(column)) throw new UnknownMemberColumnError(column, members.table);
        }
      }
      return [...columns];
    },
  };
}
