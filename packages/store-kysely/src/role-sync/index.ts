import type { Kysely } from "kysely";
import { decodeInteger } from "../codec";
import type { Clock, Dialect } from "../dialect";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "../members-table/shape";
import type { Database } from "../schema";
import { createRoleSyncContext } from "./context";
import { installTriggers, watchedColumns } from "./dialect";
import { createGrantLedger } from "./ledger";
import { createLinkedMembers, createMemberProfiles } from "./members";
import type { GrantLedger, LinkedMembers, MemberProfiles, SyncQueue, SyncState } from "./ports";
import { createSyncQueue } from "./queue";
import { asState } from "./rows";

export { UnknownMemberColumnError } from "./context";

/** The role-sync ports of a store (those of `@guildkit/role-reconciler`). */
export interface RoleSyncStore {
  queue: SyncQueue;
  ledger: GrantLedger;
  linkedMembers: LinkedMembers;
  profiles: MemberProfiles;
  /**
   * Makes the member triggers also watch these rule columns (besides the Discord id and the
   * entitlement column, `discord_user_id` and `payment_status` by default); re-installs them only when the set changed. Throws
   * {@link UnknownMemberColumnError} for a column `members` lacks.
   */
  watchColumns(opts: { columns: readonly string[] }, io?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Number of members per recorded state (states nobody is in are absent; rows never checked are
   * not counted), for metrics and health pages.
   */
  countByState(io?: { signal?: AbortSignal }): Promise<Partial<Record<SyncState, number>>>;
}

/**
 * The role-sync store on one kysely instance: the queue (`queue.ts`: claims, leases, outcomes in
 * `outcomes.ts`), the grant ledger (`ledger.ts`), member lookups by Discord id and profile writes
 * (`members.ts`); what SQLite and Postgres do differently is in `dialect.ts`.
 */
export function createRoleSyncStore(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  members: MembersTable = DEFAULT_MEMBERS_TABLE,
): RoleSyncStore {
  const ctx = createRoleSyncContext(db, dialect, clock, members);
  // The migration installs the triggers for the default columns; only other rule columns need DDL.
  let watched: string | null = watchedColumns(members, []).join(",");
  return {
    queue: createSyncQueue(ctx),
    ledger: createGrantLedger(ctx),
    linkedMembers: createLinkedMembers(ctx),
    profiles: createMemberProfiles(ctx),
    async watchColumns(opts, io) {
      io?.signal?.throwIfAborted();
      const columns = await ctx.checkColumns(opts.columns);
      const key = watchedColumns(members, columns).join(",");
      if (key === watched) return;
      await installTriggers(db, dialect, members, columns);
      watched = key;
    },
    async countByState(io) {
      io?.signal?.throwIfAborted();
      const rows = await db
        .selectFrom("role_sync_state")
        .select((eb) => ["state", eb.fn.countAll().as("n")])
        .where("state", "is not", null)
        .groupBy("state")
        .execute();
      const counts: Partial<Record<SyncState, number>> = {};
      for (const row of rows) {
        const state = asState(row.state);
        if (state) counts[state] = decodeInteger(row.n);
      }
      return counts;
    },
  };
}
