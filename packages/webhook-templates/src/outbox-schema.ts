/**
 * The outbox the triggers write to, by name. The stores' migration creates the table with these
 * columns; the trigger DDL ({@link ./trigger-ddl}) writes the first four, the database fills the
 * rest from column defaults.
 *
 * | column              | type (SQLite / Postgres)                    | meaning                                      |
 * | ------------------- | ------------------------------------------- | -------------------------------------------- |
 * | `id`                | INTEGER PRIMARY KEY AUTOINCREMENT / bigserial | stable event id, also the per-webhook order |
 * | `webhook_id`        | INTEGER / bigint                            | the definition that fired                    |
 * | `op`                | TEXT                                        | INSERT, UPDATE or DELETE                     |
 * | `old_row`           | TEXT (JSON) / jsonb                         | old row image, NULL for INSERT               |
 * | `new_row`           | TEXT (JSON) / jsonb                         | new row image, NULL for DELETE               |
 * | `created_at`        | set by the trigger / default now()          | when the data change was written             |
 * | `state`             | TEXT default 'pending'                      | pending, delivered or dead                   |
 * | `attempts`          | INTEGER default 0                           | delivery attempts that counted               |
 * | `next_attempt_at`   | NULL = due now                              | earliest next attempt                        |
 * | `lease_owner`       | TEXT NULL                                   | worker holding the event                     |
 * | `lease_expires_at`  | NULL                                        | when the lease lapses (claimable again)      |
 * | `message_id`        | TEXT NULL                                   | Discord message id once delivered            |
 * | `possible_duplicate`| boolean default false                       | an attempt timed out: Discord may have it    |
 * | `last_error`        | TEXT NULL                                   | the last failure, for the admin              |
 * | `dead_reason`       | TEXT NULL                                   | why it was dead-lettered                     |
 * | `delivered_at`      | NULL                                        | when Discord confirmed it                    |
 */
export const OUTBOX_TABLE = "webhook_outbox";

/** The columns of {@link OUTBOX_TABLE}, by role. */
export const OUTBOX_COLUMNS = {
  id: "id",
  webhookId: "webhook_id",
  operation: "op",
  oldRow: "old_row",
  newRow: "new_row",
  createdAt: "created_at",
  state: "state",
  attempts: "attempts",
  nextAttemptAt: "next_attempt_at",
  leaseOwner: "lease_owner",
  leaseExpiresAt: "lease_expires_at",
  messageId: "message_id",
  possibleDuplicate: "possible_duplicate",
  lastError: "last_error",
  deadReason: "dead_reason",
  deliveredAt: "delivered_at",
} as const;

/** The life of an outbox event. */
export type OutboxState = "pending" | "delivered" | "dead";

/** Every {@link OutboxState}. */
export const OUTBOX_STATES: readonly OutboxState[] = ["pending", "delivered", "dead"];

/**
 * The Postgres NOTIFY channel the triggers signal (payload: the webhook id from a per-webhook
 * trigger, empty from a table trigger, which may serve several).
 */
export const NOTIFY_CHANNEL = "guildkit_webhook_outbox";

/** The Postgres trigger function every webhook trigger calls, with the webhook id as argument. */
export const POSTGRES_ENQUEUE_FUNCTION = "guildkit_webhook_enqueue";

/** Every trigger guildkit installs is named with this prefix and the webhook id. */
export const TRIGGER_PREFIX = "guildkit_webhook_";
