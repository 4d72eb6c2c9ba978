import type { EventLogEntry } from "@guildkit/core";
import { encodeJson, encodeTime } from "../codec";
import type { Dialect } from "../dialect";
import type { MigrationDb } from "./types";

/**
 * Writes one event-log row from inside a migration (the event log port is not built yet): what an
 * upgrade moved, imported, disabled or dropped, stamped `at` (the migration's `now()`).
 */
export async function recordMigrationEvent(
  db: MigrationDb,
  dialect: Dialect,
  at: Date,
  entry: EventLogEntry,
): Promise<void> {
  await db
    .insertInto("event_log")
    .values({
      at: encodeTime(dialect, at),
      kind: entry.kind,
      level: entry.level,
      member_id: entry.memberId ?? null,
      discord_user_id: entry.discordUserId ?? null,
      message: entry.message,
      data: encodeJson(entry.data ?? {}),
    })
    .execute();
}
