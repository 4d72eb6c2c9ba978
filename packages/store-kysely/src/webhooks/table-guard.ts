import { tableIssue, WebhookDefinitionError } from "@guildkit/webhook-templates";
import { migrations } from "../migrations/index";
import { guildkitTables } from "../migrations/owned-tables";

/**
 * The rule "no guildkit table is a webhook's source", for the store: the tables guildkit owns come
 * from the migrations' declarations (`guildkitTables`), so a new migration's tables are covered
 * without editing a list.
 */
export interface TableGuard {
  /** Every table no webhook may watch (lower case). */
  readonly reserved: ReadonlySet<string>;
  /**
   * Throws `WebhookDefinitionError` with a `table_reserved` issue at `table` when `table` is
   * guildkit's or a catalog. Names that are not identifiers are left to the caller (they match no
   * table).
   */
  assertWatchable(table: string): void;
  /** `tables` without the ones no webhook may watch. */
  watchable(tables: readonly string[]): string[];
}

/** A {@link TableGuard} over `reserved` (default: every table the registered migrations declare). */
export function createTableGuard(reserved: ReadonlySet<string> = guildkitTables(migrations)): TableGuard {
  const issueOf = (table: string) => {
    const issue = tableIssue(table, { reservedTables: reserved });
    return issue?.code === "table_reserved" ? issue : null;
  };
  return {
    reserved,
    assertWatchable(table) {
      const issue = issueOf(table);
      if (issue) throw new WebhookDefinitionError([issue]);
    },
    watchable(tables) {
      return tables.filter((t) => issueOf(t) === null);
    },
  };
}
