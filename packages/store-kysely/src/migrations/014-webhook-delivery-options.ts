import { addColumnIfMissing, columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * Each webhook's own delivery options on `discord_webhooks`: `retry_delays_ms` (JSON text, the wait
 * after each failed attempt; NULL: the default schedule) and `give_up_after_ms` (a failing event is
 * dead once its next retry would come later than this after it was created; NULL: no age limit),
 * `embed_template` (JSON text: the embed each event renders as; NULL: a text message) and
 * `coalesce_max` (up to this many events claimed together go out as one message; NULL: one each).
 * Existing definitions keep the defaults. Idempotent.
 */
export const webhookDeliveryOptions = defineMigration({
  name: "014-webhook-delivery-options",
  feature: "webhooks",
  tables: [],
  async up(db, { dialect }) {
    await addColumnIfMissing(db, dialect, "discord_webhooks", "retry_delays_ms", "text");
    await addColumnIfMissing(
      db,
      dialect,
      "discord_webhooks",
      "give_up_after_ms",
      columnTypes(dialect).bigint,
    );
    await addColumnIfMissing(db, dialect, "discord_webhooks", "embed_template", "text");
    await addColumnIfMissing(db, dialect, "discord_webhooks", "coalesce_max", "integer");
  },
});
