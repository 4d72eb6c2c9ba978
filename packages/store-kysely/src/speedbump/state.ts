import type { Kysely } from "kysely";
import { decodeInteger, decodeJsonObject, decodeTime, encodeJson, encodeTime } from "../codec";
import type { Dialect } from "../dialect";
import { toStoreError } from "../errors";
import type { Database } from "../schema";
import type { ChannelState, PendingHold, SpeedbumpStore, UnresolvedProxyMessage } from "./ports";

function requiredTime(value: unknown, column: string): Date {
  const date = decodeTime(value);
  if (!date) throw new TypeError(`speedbump store: unreadable time in ${column}`);
  return date;
}

function toChannelState(row: {
  channel_id: string;
  proxy_application_id: string | null;
  webhook_id: string | null;
  checked_at: unknown;
}): ChannelState {
  return {
    channelId: row.channel_id,
    proxyApplicationId: row.proxy_application_id,
    webhookId: row.webhook_id,
    checkedAt: decodeTime(row.checked_at),
  };
}

const CHANNEL_COLUMNS = ["channel_id", "proxy_application_id", "webhook_id", "checked_at"] as const;

/**
 * `SpeedbumpStore` of `@guildkit/pk-speedbump` on the `speedbump_*` tables: channel state, known
 * proxy users, pending holds (the merged create event as JSON, with its due time) and unresolved
 * identities. Upserts use `ON CONFLICT … DO UPDATE`, which both dialects share.
 */
export function createSpeedbumpStateStore(db: Kysely<Database>, dialect: Dialect): SpeedbumpStore {
  const time = (date: Date) => encodeTime(dialect, date);
  const write = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toStoreError(error, dialect);
    }
  };
  return {
    async getChannel({ channelId, signal }) {
      signal?.throwIfAborted();
      const row = await db
        .selectFrom("speedbump_channels")
        .select(CHANNEL_COLUMNS)
        .where("channel_id", "=", channelId)
        .executeTakeFirst();
      return row ? toChannelState(row) : null;
    },
    async listActiveChannels(opts = {}) {
      opts.signal?.throwIfAborted();
      const rows = await db
        .selectFrom("speedbump_channels")
        .select(CHANNEL_COLUMNS)
        .where("webhook_id", "is not", null)
        .orderBy("channel_id")
        .execute();
      return rows.map(toChannelState);
    },
    async saveChannel(state, opts = {}) {
      opts.signal?.throwIfAborted();
      const values = {
        proxy_application_id: state.proxyApplicationId,
        webhook_id: state.webhookId,
        checked_at: state.checkedAt ? time(state.checkedAt) : null,
      };
      await write(() =>
        db
          .insertInto("speedbump_channels")
          .values({ channel_id: state.channelId, ...values })
          .onConflict((oc) => oc.column("channel_id").doUpdateSet(values))
          .execute(),
      );
    },
    async isProxyUser({ userId, signal }) {
      signal?.throwIfAborted();
      const row = await db
        .selectFrom("speedbump_proxy_users")
        .select("user_id")
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return row !== undefined;
    },
    async saveProxyUser({ userId, seenAt, signal }) {
      signal?.throwIfAborted();
      await write(() =>
        db
          .insertInto("speedbump_proxy_users")
          .values({ user_id: userId, last_seen_at: time(seenAt) })
          .onConflict((oc) => oc.column("user_id").doUpdateSet({ last_seen_at: time(seenAt) }))
          .execute(),
      );
    },
    async saveHold(hold, opts = {}) {
      opts.signal?.throwIfAborted();
      const values = {
        channel_id: hold.channelId,
        held_at: time(hold.heldAt),
        due_at: time(hold.dueAt),
        message: encodeJson(hold.message),
      };
      await write(() =>
        db
          .insertInto("speedbump_holds")
          .values({ message_id: hold.messageId, ...values })
          .onConflict((oc) => oc.column("message_id").doUpdateSet(values))
          .execute(),
      );
    },
    async deleteHold({ messageId, signal }) {
      signal?.throwIfAborted();
      await write(() => db.deleteFrom("speedbump_holds").where("message_id", "=", messageId).execute());
    },
    async listHolds(opts = {}) {
      opts.signal?.throwIfAborted();
      const rows = await db
        .selectFrom("speedbump_holds")
        .select(["message_id", "channel_id", "held_at", "due_at", "message"])
        .orderBy("due_at")
        .orderBy("message_id")
        .execute();
      return rows.map(
        (row): PendingHold => ({
          messageId: row.message_id,
          channelId: row.channel_id,
          heldAt: requiredTime(row.held_at, "speedbump_holds.held_at"),
          dueAt: requiredTime(row.due_at, "speedbump_holds.due_at"),
          message: decodeJsonObject(dialect, row.message) as unknown as PendingHold["message"],
        }),
      );
    },
    async saveUnresolved(item, opts = {}) {
      opts.signal?.throwIfAborted();
      const values = {
        channel_id: item.channelId,
        guild_id: item.guildId,
        webhook_id: item.webhookId,
        webhook_username: item.webhookUsername,
        webhook_avatar_url: item.webhookAvatarUrl,
        attempts: item.attempts,
        next_attempt_at: time(item.nextAttemptAt),
      };
      await write(() =>
        db
          .insertInto("speedbump_unresolved")
          .values({ message_id: item.messageId, ...values })
          .onConflict((oc) => oc.column("message_id").doUpdateSet(values))
          .execute(),
      );
    },
    async listUnresolved({ dueBefore, limit, signal }) {
      signal?.throwIfAborted();
      const rows = await db
        .selectFrom("speedbump_unresolved")
        .selectAll()
        .where("next_attempt_at", "<=", time(dueBefore))
        .orderBy("next_attempt_at")
        .orderBy("message_id")
        .limit(limit)
        .execute();
      return rows.map(
        (row): UnresolvedProxyMessage => ({
          messageId: row.message_id,
          channelId: row.channel_id,
          guildId: row.guild_id,
          webhookId: row.webhook_id,
          webhookUsername: row.webhook_username,
          webhookAvatarUrl: row.webhook_avatar_url,
          attempts: decodeInteger(row.attempts),
          nextAttemptAt: requiredTime(row.next_attempt_at, "speedbump_unresolved.next_attempt_at"),
        }),
      );
    },
    async nextUnresolvedAt(opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db
        .selectFrom("speedbump_unresolved")
        .select("next_attempt_at")
        .orderBy("next_attempt_at")
        .limit(1)
        .executeTakeFirst();
      return row ? requiredTime(row.next_attempt_at, "speedbump_unresolved.next_attempt_at") : null;
    },
    async deleteUnresolved({ messageId, signal }) {
      signal?.throwIfAborted();
      await write(() => db.deleteFrom("speedbump_unresolved").where("message_id", "=", messageId).execute());
    },
  };
}
