import type { BigIntColumn, NullableTimeColumn, TimeColumn } from "./columns";

/** A member's role connection push state (migration `015-role-connections`). */
export interface RoleConnectionStateTable {
  member_id: string;
  discord_user_id: string | null;
  /** Canonical JSON of the desired metadata (sorted keys); `NULL`: cleared. */
  desired: string | null;
  /** Canonical JSON of the metadata last pushed; `NULL`: nothing, or cleared. */
  pushed: string | null;
  /** `synced | retrying | no_grant | needs_consent | permanent_error`, `NULL` before the first push. */
  state: string | null;
  attempts: number;
  last_error: string | null;
  next_due_at: NullableTimeColumn;
  pushed_at: NullableTimeColumn;
  version: BigIntColumn;
  lease_owner: string | null;
  lease_expires_at: NullableTimeColumn;
  updated_at: TimeColumn;
}

/** The tables of migration `015-role-connections`. */
export interface RoleConnectionTables {
  role_connection_state: RoleConnectionStateTable;
}
