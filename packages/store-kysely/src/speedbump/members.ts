import { type Kysely, sql } from "kysely";
import { decodeInteger, decodeTime, encodeTime } from "../codec";
import type { Dialect } from "../dialect";
import { toStoreError } from "../errors";
import type { Database } from "../schema";
import type { ProxiedMember, ProxyMemberRecord, ProxyMemberStore, StaleProxyMember } from "./ports";

const MEMBER_COLUMNS = [
  "m.member_key",
  "m.member_id",
  "m.member_uuid",
  "m.system_id",
  "m.system_uuid",
  "m.handle",
  "m.display_name",
  "m.avatar_url",
] as const;

interface MemberRow {
  member_key: string;
  member_id: string;
  member_uuid: string;
  system_id: string | null;
  system_uuid: string | null;
  handle: string;
  display_name: string;
  avatar_url: string | null;
}

function toRecord(row: MemberRow): ProxyMemberRecord {
  return {
    key: row.member_key,
    memberId: row.member_id,
    memberUuid: row.member_uuid,
    systemId: row.system_id,
    systemUuid: row.system_uuid,
    handle: row.handle,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
  };
}

function seenAt(value: unknown): Date {
  const date = decodeTime(value);
  if (!date) throw new TypeError("speedbump store: unreadable time in pk_member_senders.last_seen_at");
  return date;
}

/**
 * `ProxyMemberStore` of `@guildkit/pk-speedbump` on `pk_members` (the identity cache) and
 * `pk_member_senders` (guild, member, sender, last seen): the data behind the two clean-ups.
 */
export function createProxyMemberStore(db: Kysely<Database>, dialect: Dialect): ProxyMemberStore {
  const time = (date: Date) => encodeTime(dialect, date);
  const removeOrphans = (trx: Kysely<Database>) =>
    trx
      .deleteFrom("pk_members")
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("pk_member_senders as s")
              .select(sql<number>`1`.as("one"))
              .whereRef("s.member_key", "=", "pk_members.member_key"),
          ),
        ),
      )
      .execute();
  const inTransaction = async (fn: (trx: Kysely<Database>) => Promise<void>) => {
    try {
      if (db.isTransaction) await fn(db);
      else await db.transaction().execute(fn);
    } catch (error) {
      throw toStoreError(error, dialect);
    }
  };

  return {
    async recordMemberSeen({ member, guildId, senderUserId, seenAt: at }, io = {}) {
      io.signal?.throwIfAborted();
      const identity = {
        member_id: member.memberId,
        member_uuid: member.memberUuid,
        system_id: member.systemId,
        system_uuid: member.systemUuid,
        handle: member.handle,
        display_name: member.displayName,
        avatar_url: member.avatarUrl,
        updated_at: time(at),
      };
      await inTransaction(async (trx) => {
        await trx
          .insertInto("pk_members")
          .values({ member_key: member.key, ...identity })
          .onConflict((oc) => oc.column("member_key").doUpdateSet(identity))
          .execute();
        await trx
          .insertInto("pk_member_senders")
          .values({
            guild_id: guildId,
            member_key: member.key,
            sender_user_id: senderUserId,
            last_seen_at: time(at),
          })
          .onConflict((oc) =>
            oc.columns(["guild_id", "member_key", "sender_user_id"]).doUpdateSet({ last_seen_at: time(at) }),
          )
          .execute();
      });
    },

    async listStaleMembers({ seenBefore, limit, signal }) {
      signal?.throwIfAborted();
      const rows = await db
        .selectFrom("pk_member_senders as s")
        .innerJoin("pk_members as m", "m.member_key", "s.member_key")
        .select([...MEMBER_COLUMNS, "s.guild_id", sql<unknown>`max(s.last_seen_at)`.as("last_seen_at")])
        .groupBy(["s.guild_id", ...MEMBER_COLUMNS])
        .having(sql<unknown>`max(s.last_seen_at)`, "<", time(seenBefore))
        .orderBy(sql`max(s.last_seen_at)`)
        .orderBy("m.member_key")
        .limit(limit)
        .execute();
      return rows.map(
        (row): StaleProxyMember => ({
          ...toRecord(row),
          guildId: row.guild_id,
          lastSeenAt: seenAt(row.last_seen_at),
        }),
      );
    },

    async listMembersProxiedBy({ guildId, userId, signal }) {
      signal?.throwIfAborted();
      const rows = await db
        .selectFrom("pk_member_senders as s")
        .innerJoin("pk_members as m", "m.member_key", "s.member_key")
        .select((eb) => [
          ...MEMBER_COLUMNS,
          "s.guild_id",
          "s.last_seen_at",
          eb
            .selectFrom("pk_member_senders as o")
            .select(sql<string | number>`count(*)`.as("n"))
            .whereRef("o.guild_id", "=", "s.guild_id")
            .whereRef("o.member_key", "=", "s.member_key")
            .whereRef("o.sender_user_id", "<>", "s.sender_user_id")
            .as("other_senders"),
        ])
        .where("s.guild_id", "=", guildId)
        .where("s.sender_user_id", "=", userId)
        .orderBy("m.member_key")
        .execute();
      return rows.map(
        (row): ProxiedMember => ({
          ...toRecord(row),
          guildId: row.guild_id,
          lastSeenAt: seenAt(row.last_seen_at),
          otherSenders: decodeInteger(row.other_senders ?? 0),
        }),
      );
    },

    async forgetSender({ guildId, userId, signal }) {
      signal?.throwIfAborted();
      await inTransaction(async (trx) => {
        await trx
          .deleteFrom("pk_member_senders")
          .where("guild_id", "=", guildId)
          .where("sender_user_id", "=", userId)
          .execute();
        await removeOrphans(trx);
      });
    },

    async forgetMembers({ guildId, memberKeys, signal }) {
      signal?.throwIfAborted();
      if (memberKeys.length === 0) return;
      await inTransaction(async (trx) => {
        await trx
          .deleteFrom("pk_member_senders")
          .where("guild_id", "=", guildId)
          .where("member_key", "in", memberKeys)
          .execute();
        await removeOrphans(trx);
      });
    },
  };
}
