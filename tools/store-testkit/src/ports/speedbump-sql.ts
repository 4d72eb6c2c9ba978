import { type Database, type Dialect, decodeJsonObject, decodeTime } from "@guildkit/store-kysely";
import type { Kysely } from "kysely";
import type { SpeedbumpStoreSubject } from "./speedbump-store";

/** A stored time that must be there. */
function time(value: unknown): Date {
  const decoded = decodeTime(value);
  if (!decoded) throw new Error(`expected a stored time, found ${String(value)}`);
  return decoded;
}

/** The speedbump kit's backdoor on the SQL stores: direct queries on the `005-speedbump` tables. */
export function sqlSpeedbumpRows(db: Kysely<Database>, dialect: Dialect): SpeedbumpStoreSubject["rows"] {
  return {
    async channel(channelId) {
      const row = await db
        .selectFrom("speedbump_channels")
        .selectAll()
        .where("channel_id", "=", channelId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        channelId: row.channel_id,
        proxyApplicationId: row.proxy_application_id,
        webhookId: row.webhook_id,
        checkedAt: decodeTime(row.checked_at),
      };
    },
    async proxyUserSeenAt(userId) {
      const row = await db
        .selectFrom("speedbump_proxy_users")
        .select("last_seen_at")
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return row ? decodeTime(row.last_seen_at) : null;
    },
    async hold(messageId) {
      const row = await db
        .selectFrom("speedbump_holds")
        .select(["message", "due_at"])
        .where("message_id", "=", messageId)
        .executeTakeFirst();
      if (!row) return null;
      const message = decodeJsonObject(dialect, row.message) as { content?: unknown };
      return { dueAt: time(row.due_at), content: String(message.content) };
    },
    async holdIds() {
      const rows = await db.selectFrom("speedbump_holds").select("message_id").execute();
      return rows.map((r) => r.message_id).sort();
    },
    async unresolved(messageId) {
      const row = await db
        .selectFrom("speedbump_unresolved")
        .select(["attempts", "next_attempt_at"])
        .where("message_id", "=", messageId)
        .executeTakeFirst();
      return row ? { attempts: Number(row.attempts), nextAttemptAt: time(row.next_attempt_at) } : null;
    },
    async members() {
      const rows = await db.selectFrom("pk_members").select(["member_key", "display_name"]).execute();
      return rows
        .map((r) => ({ key: r.member_key, displayName: r.display_name }))
        .sort((a, b) => a.key.localeCompare(b.key));
    },
    async sightings() {
      const rows = await db.selectFrom("pk_member_senders").selectAll().execute();
      return rows
        .map((r) => ({
          guildId: r.guild_id,
          memberKey: r.member_key,
          senderUserId: r.sender_user_id,
          seenAt: time(r.last_seen_at),
        }))
        .sort(
          (a, b) =>
            a.guildId.localeCompare(b.guildId) ||
            a.memberKey.localeCompare(b.memberKey) ||
            a.senderUserId.localeCompare(b.senderUserId),
        );
    },
  };
}
