import { type RawBuilder, sql } from "kysely";
import type { Dialect } from "../dialect";

/**
 * The claim, the one statement of role connections that differs by dialect: Postgres picks rows
 * `for update skip locked` (concurrent workers never wait on nor double-claim a row); SQLite has one
 * writer at a time, so a plain `update … where member_id in (select …)` is atomic.
 */
export function claimStatement(
  dialect: Dialect,
  p: { owner: string; leaseExpiresAt: unknown; now: unknown; limit: number },
): RawBuilder<Record<string, unknown>> {
  const due = sql`next_due_at is not null and next_due_at <= ${p.now}
    and (lease_owner is null or lease_expires_at <= ${p.now})`;
  if (dialect === "postgres") {
    return sql<Record<string, unknown>>`update role_connection_state s
      set lease_owner = ${p.owner}, lease_expires_at = ${p.leaseExpiresAt}
      from (select member_id from role_connection_state where ${due}
        order by next_due_at, member_id limit ${p.limit} for update skip locked) pick
      where s.member_id = pick.member_id
      returning s.*`;
  }
  return sql<Record<string, unknown>>`update role_connection_state
    set lease_owner = ${p.owner}, lease_expires_at = ${p.leaseExpiresAt}
    where member_id in (select member_id from role_connection_state where ${due}
      order by next_due_at, member_id limit ${p.limit})
    returning *`;
}
