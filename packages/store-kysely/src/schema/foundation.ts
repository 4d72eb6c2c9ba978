import type { ColumnType } from "kysely";
import type {
  BigIntColumn,
  BytesColumn,
  IdColumn,
  JsonColumn,
  NullableTimeColumn,
  TimeColumn,
} from "./columns";

/**
 * The host's member row with guildkit's Discord columns (migration `001-foundation` creates it, or
 * adds the missing columns to the host's table). `discord_user_id` is unique when not null.
 */
export interface MembersTable {
  /** The host's id column: integer on a fresh database, whatever the host had otherwise. */
  id: IdColumn;
  name: string | null;
  email: string | null;
  /** The entitlement input of the reference schema: non-empty means paying. */
  payment_status: string | null;
  discord_user_id: string | null;
  discord_email: string | null;
  discord_username: string | null;
  /** PNG bytes of the member's avatar, as the seed system stored it. */
  discord_avatar: BytesColumn;
  /** Legacy sync marker of the seed system: unix seconds, `NULL` = needs sync. */
  discord_last_synced: BigIntColumn;
  created_at: NullableTimeColumn;
  updated_at: NullableTimeColumn;
}

/** Every Discord API error, OAuth callback and notable store event. */
export interface EventLogTable {
  id: IdColumn;
  at: TimeColumn;
  /** Dotted kind, e.g. `role.added`, `discord.api_error`, `oauth.callback`. */
  kind: string;
  level: "info" | "warn" | "error";
  member_id: string | null;
  discord_user_id: string | null;
  message: string;
  /** JSON object; never a secret. */
  data: ColumnType<unknown, string | null | undefined, string | null>;
}

/** Versioned runtime configuration; the highest version per module is in force. */
export interface ConfigVersionsTable {
  id: IdColumn;
  module: string;
  version: number;
  values: JsonColumn;
  created_at: TimeColumn;
  created_by: string | null;
}

/**
 * Discord links taken off members during the upgrade because another member held the same Discord
 * account (the seed system allowed duplicates). An admin decides; `resolved_at` marks a decision.
 */
export interface DiscordLinkConflictsTable {
  id: IdColumn;
  member_id: string;
  discord_user_id: string;
  detected_at: TimeColumn;
  resolved_at: NullableTimeColumn;
}

/** The latest round of each worker task (migration `016-task-status`). */
export interface TaskStatusTable {
  /** The task's name, e.g. `role-sync` (primary key). */
  task: string;
  /** The worker that ran the round (its lease-owner id). */
  worker: string;
  /** JSON object: the round's counters; never a secret. */
  summary: ColumnType<unknown, string, string>;
  updated_at: TimeColumn;
}

/** The tables of migrations `001-foundation` and `016-task-status`. */
export interface FoundationTables {
  members: MembersTable;
  event_log: EventLogTable;
  config_versions: ConfigVersionsTable;
  discord_link_conflicts: DiscordLinkConflictsTable;
  task_status: TaskStatusTable;
}
