import { type Kysely, sql } from "kysely";
import { decodeBytes, decodeId, decodeTime, encodeTime } from "./codec";
import { type Clock, type Dialect, systemClock } from "./dialect";
import { toStoreError } from "./errors";
import type { Database } from "./schema";

/** A member as the reference app sees it (only the columns guildkit knows; never the host's others). */
export interface MemberRecord {
  id: string;
  name: string | null;
  email: string | null;
  /** Non-empty means paying in the reference schema. */
  paymentStatus: string | null;
  discordUserId: string | null;
  discordEmail: string | null;
  discordUsername: string | null;
  /** PNG bytes, `null` when none is stored. */
  discordAvatar: Uint8Array | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** Fields of a new member; all optional. */
export interface NewMember {
  name?: string | null;
  email?: string | null;
  paymentStatus?: string | null;
  discordUserId?: string | null;
  discordEmail?: string | null;
  discordUsername?: string | null;
  discordAvatar?: Uint8Array | null;
}

/** A change to a member: absent keys are kept, `null` clears. */
export type MemberPatch = NewMember;

/**
 * A minimal member repository for the reference app (hosts usually bring their own). Linking a
 * Discord account another member holds fails with `UniqueViolationError`
 * (`columns: ["discord_user_id"]`).
 */
export interface MemberRepository {
  create(input: NewMember, opts?: { signal?: AbortSignal }): Promise<MemberRecord>;
  getById(id: string, opts?: { signal?: AbortSignal }): Promise<MemberRecord | null>;
  findByDiscordUserId(discordUserId: string, opts?: { signal?: AbortSignal }): Promise<MemberRecord | null>;
  /** Case-insensitive match on `email`; the lowest id when several members share it. */
  findByEmail(email: string, opts?: { signal?: AbortSignal }): Promise<MemberRecord | null>;
  /** Applies `patch` and returns the updated member, `null` when there is no such member. */
  update(id: string, patch: MemberPatch, opts?: { signal?: AbortSignal }): Promise<MemberRecord | null>;
}

const COLUMNS = [
  "id",
  "name",
  "email",
  "payment_status",
  "discord_user_id",
  "discord_email",
  "discord_username",
  "discord_avatar",
  "created_at",
  "updated_at",
] as const;

/** Bytes as both drivers bind them (a `Buffer` view of the same memory). */
export function encodeBytes(value: Uint8Array | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** The member repository on the `members` table. */
export function createMemberRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock = systemClock,
): MemberRepository {
  type Row = {
    id: string | number;
    name: string | null;
    email: string | null;
    payment_status: string | null;
    discord_user_id: string | null;
    discord_email: string | null;
    discord_username: string | null;
    discord_avatar: Uint8Array | null;
    created_at: unknown;
    updated_at: unknown;
  };
  const toRecord = (row: Row): MemberRecord => ({
    id: decodeId(row.id),
    name: row.name,
    email: row.email,
    paymentStatus: row.payment_status,
    discordUserId: row.discord_user_id,
    discordEmail: row.discord_email,
    discordUsername: row.discord_username,
    discordAvatar: decodeBytes(row.discord_avatar),
    createdAt: decodeTime(row.created_at),
    updatedAt: decodeTime(row.updated_at),
  });
  const columnsOf = (input: NewMember) => {
    const out: Record<string, unknown> = {};
    if (input.name !== undefined) out.name = input.name;
    if (input.email !== undefined) out.email = input.email;
    if (input.paymentStatus !== undefined) out.payment_status = input.paymentStatus;
    if (input.discordUserId !== undefined) out.discord_user_id = input.discordUserId;
    if (input.discordEmail !== undefined) out.discord_email = input.discordEmail;
    if (input.discordUsername !== undefined) out.discord_username = input.discordUsername;
    if (input.discordAvatar !== undefined) out.discord_avatar = encodeBytes(input.discordAvatar);
    return out;
  };
  /** Postgres refuses a non-numeric string for an integer id; that id simply does not exist. */
  const isBadIdInput = (error: unknown) =>
    dialect === "postgres" &&
    typeof error === "object" &&
    error !== null &&
    (error as { code?: unknown }).code === "22P02";

  return {
    async create(input, opts = {}) {
      opts.signal?.throwIfAborted();
      const now = encodeTime(dialect, clock.now());
      try {
        const row = await db
          .insertInto("members")
          .values({ ...columnsOf(input), created_at: now, updated_at: now })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toRecord(row);
      } catch (error) {
        throw toStoreError(error, dialect);
      }
    },

    async getById(id, opts = {}) {
      opts.signal?.throwIfAborted();
      try {
        const row = await db.selectFrom("members").select(COLUMNS).where("id", "=", id).executeTakeFirst();
        return row ? toRecord(row) : null;
      } catch (error) {
        if (isBadIdInput(error)) return null;
        throw error;
      }
    },

    async findByDiscordUserId(discordUserId, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db
        .selectFrom("members")
        .select(COLUMNS)
        .where("discord_user_id", "=", discordUserId)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async findByEmail(email, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db
        .selectFrom("members")
        .select(COLUMNS)
        .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
        .orderBy("id", "asc")
        .limit(1)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async update(id, patch, opts = {}) {
      opts.signal?.throwIfAborted();
      try {
        const row = await db
          .updateTable("members")
          .set({ ...columnsOf(patch), updated_at: encodeTime(dialect, clock.now()) })
          .where("id", "=", id)
          .returning(COLUMNS)
          .executeTakeFirst();
        return row ? toRecord(row) : null;
      } catch (error) {
        if (isBadIdInput(error)) return null;
        throw toStoreError(error, dialect);
      }
    },
  };
}
