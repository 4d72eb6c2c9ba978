import {
  type CreateMemberResult,
  type LinkDiscordResult,
  type MemberAccount,
  type MemberAccounts,
  normalizeEmail,
} from "@guildkit/oauth-state";
import { type Expression, type Kysely, type RawBuilder, sql } from "kysely";
import { decodeId, encodeTime } from "../codec";
import type { Clock, Dialect } from "../dialect";
import { toStoreError, UniqueViolationError } from "../errors";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "../members-table/shape";
import type { Database } from "../schema";

/**
 * `expr` with the ASCII letters lower-cased and nothing else — the SQL twin of `normalizeEmail`, the
 * same on both dialects. Postgres `lower()` folds Unicode (`'\u212Aelly'` → `'kelly'`, a look-alike of
 * another address), SQLite's folds ASCII only unless the ICU extension is loaded: neither is used alone.
 */
function asciiLower(expr: Expression<unknown>): RawBuilder<string> {
  let out: Expression<unknown> = expr;
  for (const letter of "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
    out = sql`replace(${out}, ${sql.lit(letter)}, ${sql.lit(letter.toLowerCase())})`;
  }
  return out as RawBuilder<string>;
}

/**
 * The port's reason for a unique violation on `members`, told by the constraint: the Discord account
 * (`members_discord_user_id_unique`) or the email (only a host's schema makes `email` unique); `null`
 * for any other constraint (rethrown).
 */
function takenReason(
  error: unknown,
  dialect: Dialect,
  shape: MembersTable,
): "discord_account_taken" | "email_taken" | null {
  const violation = toStoreError(error, dialect);
  if (!(violation instanceof UniqueViolationError)) return null;
  const names = [...violation.columns, violation.constraint ?? ""];
  if (names.some((name) => name.includes(shape.discordUserId))) return "discord_account_taken";
  const email = shape.email;
  if (email === null) return null;
  const emailName = new RegExp(`(^|[^_a-z])${email}|^${shape.table}_${email}`);
  if (names.some((name) => name === email || emailName.test(name))) return "email_taken";
  return null;
}

/** The members table as this file queries it: by the names in the store's `members` option. */
// biome-ignore lint/suspicious/noExplicitAny: a host's table, named at run time
type AnyMembers = Record<string, Record<string, any>>;

/**
 * `MemberAccounts` of `@guildkit/oauth-state` on the members table (`members`, or the host's table
 * named in the store's `members` option; a new member there gets only the Discord columns and the
 * email, so a host whose table needs more creates members itself through the signup hook). Linking relies on the unique
 * index on `discord_user_id` (migration `001-foundation`), so two members can never hold one Discord
 * account, even when two links race. `findByVerifiedEmail` trusts `members.email` (the reference app
 * confirms it at signup); a host with an "email confirmed" column should filter on it here. The avatar
 * is left to the role reconciler (it stores the bytes and their hash together, and downloads when the
 * hash differs): a link to another Discord account clears the previous account's avatar, so it is
 * never shown for the new one and the next sync downloads the right one. A link clears the seed
 * system's `discord_last_synced` marker on the row; marking the member due on the role-sync queue is
 * the flows' business (`AccountTransactions` of `@guildkit/oauth-state`: the app runs the link and
 * `roleSync.queue.markDue` in one `store.transaction`). Each write is one statement.
 */
export function createOAuthMemberAccounts(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  shape: MembersTable = DEFAULT_MEMBERS_TABLE,
): MemberAccounts {
  // The table and columns are the store's `members` option: queried by name, aliased to the reference names.
  const any = db as unknown as Kysely<AnyMembers>;
  const m = shape;
  const account = [`${m.id} as id`, `${m.discordUserId} as discord_user_id`] as const;
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
      const row = await any
        .selectFrom(m.table)
        .select(account)
        .where(m.discordUserId, "=", discordUserId)
        .executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async findByVerifiedEmail({ email }, opts = {}) {
      opts.signal?.throwIfAborted();
      if (m.email === null) return null;
      const wanted = normalizeEmail(email);
      const row = await any
        .selectFrom(m.table)
        .select(account)
        // `lower(email) = lower(…)` selects through `members_email_lower_idx` (a superset of the
        // matches); the ASCII-only comparison decides.
        .where(sql<string>`lower(${sql.ref(m.email)})`, "=", sql<string>`lower(${wanted})`)
        .where(asciiLower(sql.ref(m.email)), "=", wanted)
        .orderBy(m.id, "asc")
        .limit(1)
        .executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async findByMemberId({ memberId }, opts = {}) {
      opts.signal?.throwIfAborted();
      try {
        const row = await any
          .selectFrom(m.table)
          .select([...account, `${m.discordUsername} as discord_username`])
          .where(m.id, "=", memberId)
          .executeTakeFirst();
        return row ? { ...toAccount(row), discordUsername: row.discord_username } : null;
      } catch (error) {
        if (isBadId(error)) return null;
        throw error;
      }
    },

    async linkDiscord({ memberId, profile }, opts = {}): Promise<LinkDiscordResult> {
      opts.signal?.throwIfAborted();
      try {
        // Another account's avatar is not this one's: cleared, the next sync downloads the right one.
        const keepIfSame = (column: string) =>
          sql`case when ${sql.ref(m.discordUserId)} = ${profile.discordUserId} then ${sql.ref(column)} end`;
        const row = await any
          .updateTable(m.table)
          .set({
            [m.discordUserId]: profile.discordUserId,
            [m.discordEmail]: profile.email,
            [m.discordUsername]: profile.globalName ?? profile.username,
            ...(m.discordAvatar ? { [m.discordAvatar]: keepIfSame(m.discordAvatar) } : {}),
            [m.discordAvatarHash]: keepIfSame(m.discordAvatarHash),
            // The seed system's "sync me" marker and stamp.
            ...(m.reference
              ? { discord_last_synced: null, updated_at: encodeTime(dialect, clock.now()) }
              : {}),
          })
          .where(m.id, "=", memberId)
          .returning(`${m.id} as id`)
          .executeTakeFirst();
        if (!row) return { linked: false, reason: "member_not_found" };
        return { linked: true };
      } catch (error) {
        if (takenReason(error, dialect, m) === "discord_account_taken") {
          return { linked: false, reason: "discord_account_taken" };
        }
        if (isBadId(error)) return { linked: false, reason: "member_not_found" };
        throw error;
      }
    },

    async create({ profile }, opts = {}): Promise<CreateMemberResult> {
      opts.signal?.throwIfAborted();
      const stamp = encodeTime(dialect, clock.now());
      const name = profile.globalName ?? profile.username;
      try {
        const row = await any
          .insertInto(m.table)
          .values({
            ...(m.reference ? { name, created_at: stamp, updated_at: stamp } : {}),
            ...(m.email ? { [m.email]: profile.email } : {}),
            [m.discordUserId]: profile.discordUserId,
            [m.discordEmail]: profile.email,
            [m.discordUsername]: name,
          })
          .returning(`${m.id} as id`)
          .executeTakeFirstOrThrow();
        return { created: true, memberId: decodeId(row.id) };
      } catch (error) {
        const reason = takenReason(error, dialect, m);
        if (reason !== null) return { created: false, reason };
        throw error;
      }
    },
  };
}
