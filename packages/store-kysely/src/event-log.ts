import type { EventLog, EventLogEntry, IoOptions } from "@guildkit/core";
import { type Kysely, sql } from "kysely";
import { decodeId, decodeJsonObject, decodeTime, encodeJson, encodeTime } from "./codec";
import { type Clock, type Dialect, systemClock } from "./dialect";
import type { Database } from "./schema";

/** One event to record: the shared `EventLogEntry` of `@guildkit/core`. */
export type { EventLogEntry } from "@guildkit/core";

/** A stored event. */
export interface EventLogRecord {
  id: string;
  at: Date;
  kind: string;
  level: "info" | "warn" | "error";
  message: string;
  memberId: string | null;
  discordUserId: string | null;
  data: Record<string, unknown>;
}

/** Filters for {@link StoreEventLog.list}; all optional. */
export interface EventLogQuery {
  /** Exactly this kind. */
  kind?: string;
  /** Kinds starting with this, e.g. `discord.` or `oauth.`. */
  kindPrefix?: string;
  level?: "info" | "warn" | "error";
  memberId?: string;
  discordUserId?: string;
  /** Only events strictly older than this (paging: pass the last record's `at`). */
  before?: Date;
  /** Default 50, at most 1000. */
  limit?: number;
  signal?: AbortSignal;
}

/** The event log: the shared `EventLog` port (`append`) plus `list` for admin pages and tests. */
export interface StoreEventLog extends EventLog {
  /**
   * Records one event, stamped with the store's clock. `data` values under keys that look like a
   * secret (`token`, `secret`, `password`, …) are stored as `[redacted]`; messages are cut at 4,000
   * characters.
   */
  append(entry: EventLogEntry, opts?: IoOptions): Promise<void>;
  /** Events matching the filters, newest first. */
  list(query?: EventLogQuery): Promise<EventLogRecord[]>;
}

const SECRET_KEY =
  /secret|token|password|passwd|authorization|cookie|api[-_]?key|signing[-_]?key|private[-_]?key/i;
const MAX_MESSAGE_LENGTH = 4000;

/** `data` with values under secret-looking keys replaced by `[redacted]` (defence in depth). */
export function redactEventData(data: unknown, depth = 0): unknown {
  if (depth > 8 || data === null || typeof data !== "object") return data;
  if (Array.isArray(data)) return data.map((item) => redactEventData(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    out[key] =
      SECRET_KEY.test(key) && value !== null && value !== undefined
        ? "[redacted]"
        : redactEventData(value, depth + 1);
  }
  return out;
}

/** The event log on the `event_log` table. */
export function createEventLog(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock = systemClock,
): StoreEventLog {
  return {
    async append(entry, opts = {}) {
      opts.signal?.throwIfAborted();
      await db
        .insertInto("event_log")
        .values({
          at: encodeTime(dialect, clock.now()),
          kind: entry.kind,
          level: entry.level,
          message:
            entry.message.length > MAX_MESSAGE_LENGTH
              ? `${entry.message.slice(0, MAX_MESSAGE_LENGTH)}…`
              : entry.message,
          member_id: entry.memberId ?? null,
          discord_user_id: entry.discordUserId ?? null,
          data: entry.data === undefined ? null : encodeJson(redactEventData(entry.data)),
        })
        .execute();
    },

    async list(query = {}) {
      query.signal?.throwIfAborted();
      let q = db
        .selectFrom("event_log")
        .select(["id", "at", "kind", "level", "message", "member_id", "discord_user_id", "data"]);
      if (query.kind !== undefined) q = q.where("kind", "=", query.kind);
      if (query.kindPrefix !== undefined) {
        // substr instead of LIKE: no wildcard escaping, case-sensitive and collation-free on both dialects
        q = q.where(sql<string>`substr(kind, 1, ${[...query.kindPrefix].length})`, "=", query.kindPrefix);
      }
      if (query.level !== undefined) q = q.where("level", "=", query.level);
      if (query.memberId !== undefined) q = q.where("member_id", "=", query.memberId);
      if (query.discordUserId !== undefined) q = q.where("discord_user_id", "=", query.discordUserId);
      if (query.before !== undefined) q = q.where("at", "<", encodeTime(dialect, query.before));
      const rows = await q
        .orderBy("at", "desc")
        .orderBy("id", "desc")
        .limit(Math.max(1, Math.min(query.limit ?? 50, 1000)))
        .execute();
      return rows.map((row) => ({
        id: decodeId(row.id),
        at: decodeTime(row.at) ?? new Date(0),
        kind: row.kind,
        level: row.level,
        message: row.message,
        memberId: row.member_id,
        discordUserId: row.discord_user_id,
        data: decodeJsonObject(dialect, row.data),
      }));
    },
  };
}
