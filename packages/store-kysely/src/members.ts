import { type Kysely, sql } from "kysely";
import { decodeBytes, decodeId, decodeTime, encodeTime } from "./codec";
import { type Clock, type Dialect, systemClock } from "./dialect";
import { toStoreError } from "./errors";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "./members-table/shape";
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

/** The reference columns a member record reads, each as `<column of the shape> as <reference name>`. */
function selection(shape: MembersTable) {
  const nothing = (alias: string) => sql<null>`null`.as(alias);
  const named = (column: string | null, alias: string) =>
    column ? sql.ref(column).as(alias) : nothing(alias);
  const reference = (alias: string) => (shape.reference ? sql.ref(alias).as(alias) : nothing(alias));
  return [
    named(shape.id, "id"),
    reference("name"),
    named(shape.email, "email"),
    named(shape.paymentStatus, "payment_status"),
    named(shape.discordUserId, "discord_user_id"),
    named(shape.discordEmail, "discord_email"),
    named(shape.discordUsername, "discord_username"),
    named(shape.discordAvatar, "discord_avatar"),
    reference("created_at"),
    reference("updated_at"),
  ];
}

// biome-ignore lint/suspicious/noExplicitAny: a host's table, named at run time
type AnyMembers = Record<string, Record<string, any>>;

/** Bytes as both drivers bind them (a `Buffer` view of the same memory). */
export function encodeBytes(value: Uint8Array | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * The member repository on the members table: `members`, or the host's table of the store's
 * `members` option (where `name`, `createdAt` and `updatedAt` read `null` and are not written, and
 * fields without a column — `email`, `paymentStatus`, `discordAvatar` set to `null` there — are
 * neither).
 */
export function createMemberRepository(
  typed: Kysely<Database>,
  dialect: Dialect,
  clock: Clock = systemClock,
  shape: MembersTable = DEFAULT_MEMBERS_TABLE,
): MemberRepository {
  const db = typed as unknown as Kysely<AnyMembers>;
  const table = shape.table;
  const COLUMNS = selection(shape);
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
    const put = (column: string | null, value: unknown) => {
      if (column !== null && value !== undefined) out[column] = value;
    };
    put(shape.reference ? "name" : null, input.name);
    put(shape.email, input.email);
    put(shape.paymentStatus, input.paymentStatus);
    put(shape.discordUserId, input.discordUserId);
    put(shape.discordEmail, input.discordEmail);
    put(shape.discordUsername, input.discordUsername);
    if (input.discordAvatar !== undefined) put(shape.discordAvatar, encodeBytes(input.discordAvatar));
    return out;
  };
  const stamps = (keys: readonly ("created_at" | "updated_at")[]) => {
    if (!shape.reference) return {};
    const now = encodeTime(dialect, clock.now());
    return Object.fromEntries(keys.map((key) => [key, now]));
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
      try {
        const values = { ...columnsOf(input), ...stamps(["created_at", "updated_at"]) };
        const row = await (Object.keys(values).length === 0
          ? db.insertInto(table).defaultValues()
          : db.insertInto(table).values(values)
        )
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toRecord(row as Row);
      } catch (error) {
        throw toStoreError(error, dialect);
      }
    },

    async getById(id, opts = {}) {
      opts.signal?.throwIfAborted();
      try {
        const row = await db.selectFrom(table).select(COLUMNS).where(shape.id, "=", id).executeTakeFirst();
        return row ? toRecord(row as Row) : null;
      } catch (error) {
        if (isBadIdInput(error)) return null;
        throw error;
      }
    },

    async findByDiscordUserId(discordUserId, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db
        .selectFrom(table)
        .select(COLUMNS)
        .where(shape.discordUserId, "=", discordUserId)
        .executeTakeFirst();
      return row ? toRecord(row as Row) : null;
    },

    async findByEmail(email, opts = {}) {
      opts.signal?.throwIfAborted();
      if (shape.email === null) return null;
      const row = await db
        .selectFrom(table)
        .select(COLUMNS)
        .where(sql<string>`lower(${sql.ref(shape.email)})`, "=", email.trim().toLowerCase())
        .orderBy(shape.id, "asc")
        .limit(1)
        .executeTakeFirst();
      return row ? toRecord(row as Row) : null;
    },

    async update(id, patch, opts = {}) {
      opts.signal?.throwIfAborted();
      try {
        const set = { ...columnsOf(patch), ...stamps(["updated_at"]) };
        if (Object.keys(set).length === 0) return await this.getById(id, opts);
        const row = await db
          .updateTable(table)
          .set(set)
          .where(shape.id, "=", id)
          .returning(COLUMNS)
          .executeTakeFirst();
        return row ? toRecord(row as Row) : null;
      } catch (error) {
        if (isBadIdInput(error)) return null;
        throw toStoreError(error, dialect);
      }
    },
  };
}
