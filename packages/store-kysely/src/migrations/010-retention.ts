import { sql } from "kysely";
import { defineMigration } from "./types";

/**
 * `010-retention`: a partial index on `webhook_outbox (delivered_at) where state = 'delivered'`, so the
 * retention purge (`store.retention.purge()`) finds the oldest delivered events without scanning the
 * outbox; pending and dead events are not in it. `event_log_at_idx` (001) already serves the event
 * log's purge. Idempotent on both dialects.
 */
export const retention = defineMigration({
  name: "010-retention",
  feature: "webhooks",
  tables: [],
  async up(db) {
    await sql`create index if not exists webhook_outbox_delivered_idx on webhook_outbox (delivered_at) where state = 'delivered'`.execute(
      db,
    );
  },
});
