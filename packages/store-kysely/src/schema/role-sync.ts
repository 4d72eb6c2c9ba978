import type { BigIntColumn, NullableTimeColumn, TimeColumn } from "./columns";

/**
 * Sync state of a member (migration `002-role-sync`). The row outlives a deleted member until its
 * roles are revoked. `next_due_at` of a member marked by a change is the epoch (due at once, ahead
 * of scheduled re-checks); `marked_at` is when the change happened.
 */
export interface RoleSyncStateTable {
  /** Same type as `members.id`; no foreign key (the row must survive the member). */
  member_id: string | number;
  next_due_at: NullableTimeColumn;
  /** 1/true when a change marked the member due. */
  dirty: number | boolean;
  /** Bumped by every change that marks the member due. */
  version: BigIntColumn;
  marked_at: NullableTimeColumn;
  attempts: number;
  /** `ok | not_in_guild | retrying | permanent_error | unlinked | grace`, `NULL` before the first check. */
  state: string | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: NullableTimeColumn;
  checked_at: NullableTimeColumn;
}

/** The grant ledger: `discord_user_id` may hold `role_id` on account of `member_id`. */
export interface RoleGrantsTable {
  member_id: string;
  discord_user_id: string;
  role_id: string;
  granted_at: TimeColumn;
  /** `granted` | `adopted` (migration `013-role-grant-lifecycle`); `NULL` on older rows means `granted`. */
  origin: string | null;
  /** When the member's entitlement to the role ended (its grace period started); `NULL` while entitled. */
  lapsed_at: NullableTimeColumn;
}

/** The settings role sync last applied (migration `006-role-sync-settings`); one row, `applied`. */
export interface RoleSyncSettingsTable {
  name: string;
  /** Fingerprint of the guild and entitlement rules (JSON). */
  fingerprint: string;
  applied_at: TimeColumn;
}

/** The tables of migrations `002-role-sync` (plus `members.discord_avatar_hash`) and `006-role-sync-settings`. */
export interface RoleSyncTables {
  role_sync_state: RoleSyncStateTable;
  role_grants: RoleGrantsTable;
  role_sync_settings: RoleSyncSettingsTable;
}
