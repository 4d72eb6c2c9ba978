import type {
  CreateMemberResult,
  LinkDiscordResult,
  MemberAccount,
  MemberAccounts,
} from "@guildkit/oauth-state";
import { type Kysely, sql } from "kysely";
import { decodeId, encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import { isUniqueViolation } from "../errors";
import type { Database } from "../schema";

/**
 * `MemberAccounts` of `@guildkit/oauth-state` on the `members` table. Linking relies on the unique
 * index on `discord_user_id` (migration `001-foundation`), so two members can never hold one Discord
 * account, even when two links race. `findByVerifiedEmail` trusts `members.email` (the reference app
 * confirms it at signup); a host with an "email confirmed" column should filter on it here.
 */
export function createOAuthMemberAccounts(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
): MemberAccounts {
  const toAccount = (row: { id: string | number; discord_user_id: string | null }): MemberAccount => ({
    memberId: decodeId(row.id),
    discordUserId: row.discord_user_id,
  });
  /** Postgres refuses a non-numeric id for an integer column (22P02): no such member. */
  const isBadId = (error: unknown) =>
    dialect === "postgres" && (error as { code?: unknown } | null)?.code === "22P02";

  return {
    async findByDiscordUserId({ discordUserId }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db
        .selectFrom("members")
        .select(["id", "discord_user_id"])
        .where("discord_user_id", "=", discordUserId)
        .executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async findByVerifiedEmail({ email }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db
        .selectFrom("members")
        .select(["id", "discord_user_id"])
        .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
        .orderBy("id", "asc")
        .limit(1)
        .executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async linkDiscord({ memberId, profile }, opts = {}): Promise<LinkDiscordResult> {
      opts.signal?.throwIfAborted();
      try {
        const row = await db
          .updateTable("members")
          .set({
            discord_user_id: profile.discordUserId,
            discord_email: profile.email,
            discord_username: profile.globalName ?? profile.username,
            updated_at: encodeTime(dialect, clock.now()),
          })
          .where("id", "=", memberId)
          .returning("id")
          .executeTakeFirst();
        return row ? { linked: true } : { linked: false, reason: "member_not_found" };
      } catch (error) {
        if (isUniqueViolation(error, dialect)) return { linked: false, reason: "discord_account_taken" };
        if (isBadId(error)) return { linked: false, reason: "member_not_found" };
        throw error;
      }
    },

    async create({ profile }, opts = {}): Promise<CreateMemberResult> {
      opts.signal?.throwIfAborted();
      const now = encodeTime(dialect, clock.now());
      try {
        const row = await db
          .insertInto("members")
          .values({
            name: profile.globalName ?? profile.username,
            email: profile.email,
            discord_user_id: profile.discordUserId,
            discord_email: profile.email,
            discord_username: profile.globalName ?? profile.username,
            created_at: now,
            updated_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        return { created: true, memberId: decodeId(row.id) };
      } catch (error) {
        if (isUniqueViolation(error, dialect)) return { created: false, reason: "discord_account_taken" };
        throw error;
      }
    },

    async markDueForSync({ memberId }, opts = {}) {
      opts.signal?.throwIfAborted();
      // The seed system's marker (`NULL` = needs sync); the role-sync store's own queue is marked by the app.
      try {
        await db
          .updateTable("members")
          .set({ discord_last_synced: null })
          .where("id", "=", memberId)
          .execute();
      } catch (error) {
        if (!isBadId(error)) throw error;
      }
    },
  };
}
