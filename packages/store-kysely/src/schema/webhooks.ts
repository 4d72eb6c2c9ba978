import type { ColumnType, Generated } from "kysely";
import type { IdColumn, NullableTimeColumn } from "./columns";

/**
 * `discord_webhooks` — webhook definitions. The seed system's columns are kept and reused
 * (`webhook_url`, `message_template`, `trigger_table`, `trigger_op`, `when_clause`, `username`,
 * `enabled`; `trigger_event` stays for the record); absent text is stored as `''`.
 */
export interface DiscordWebhooksTable {
  id: IdColumn;
  webhook_url: string;
  trigger_event: ColumnType<string, string | undefined, string>;
  message_template: string;
  username: ColumnType<string, string | undefined, string>;
  /** `boolean` / `integer` 0-1. */
  enabled: ColumnType<boolean | number, boolean | number, boolean | number>;
  trigger_table: ColumnType<string, string | undefined, string>;
  trigger_op: ColumnType<string, string | undefined, string>;
  when_clause: ColumnType<string, string | undefined, string>;
  avatar_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON array of column names (text on both dialects). */
  mention_user_columns: ColumnType<string | null, string | null | undefined, string | null>;
  disabled_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON array of waits in ms after each failed attempt; NULL: the default schedule (migration 014). */
  retry_delays_ms: ColumnType<string | null, string | null | undefined, string | null>;
  /** `bigint` / `integer` ms; NULL: no give-up age (migration 014). */
  give_up_after_ms: ColumnType<string | number | null, number | null | undefined, number | null>;
  /** JSON text of the embed template; NULL: a text message (migration 014). */
  embed_template: ColumnType<string | null, string | null | undefined, string | null>;
  /** Events per coalesced message (2–10); NULL: one message per event (migration 014). */
  coalesce_max: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: NullableTimeColumn;
  updated_at: NullableTimeColumn;
}

/** `webhook_outbox` — events written by the triggers, delivered by the worker. */
export interface WebhookOutboxTable {
  id: IdColumn;
  webhook_id: string | number;
  op: string;
  /** Row JSON: `jsonb` / `text`. Read it as text (`::text` on Postgres) to keep big integers exact. */
  old_row: ColumnType<unknown, string | null | undefined, string | null>;
  new_row: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: ColumnType<Date | string, Date | string | undefined, Date | string>;
  state: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: NullableTimeColumn;
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: NullableTimeColumn;
  message_id: ColumnType<string | null, string | null | undefined, string | null>;
  possible_duplicate: Generated<boolean | number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  dead_reason: ColumnType<string | null, string | null | undefined, string | null>;
  delivered_at: NullableTimeColumn;
}

/** The webhook feature's tables. */
export interface WebhookTables {
  discord_webhooks: DiscordWebhooksTable;
  webhook_outbox: WebhookOutboxTable;
}
