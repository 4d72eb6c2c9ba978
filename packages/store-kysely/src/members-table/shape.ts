import { GuildkitError } from "@guildkit/core";

/**
 * Where role sync and login find the host's members: the table, its id column and the Discord
 * columns. By default the seed system's `members` table (which migration `001-members` creates when
 * missing); a host with its own users table names it and its columns instead, and guildkit then
 * creates no member table of its own.
 *
 * @example
 * const store = createSqliteStore({
 *   filename: "app.db",
 *   members: { table: "users", id: "user_id", discordUserId: "discord_id" },
 * });
 */
export interface MembersTableOptions {
  /** The table; `"members"` by default. */
  table?: string;
  /** Its primary key column; `"id"`. */
  id?: string;
  /** The linked Discord account's id (text, unique when set); `"discord_user_id"`. */
  discordUserId?: string;
  /** The Discord account's email; `"discord_email"`. */
  discordEmail?: string;
  /** The Discord display name; `"discord_username"`. */
  discordUsername?: string;
  /** The Discord avatar's hash; `"discord_avatar_hash"`. */
  discordAvatarHash?: string;
  /** The Discord avatar's PNG bytes; `"discord_avatar"`, `null` when the host keeps no bytes. */
  discordAvatar?: string | null;
  /** The member's own email, for login by verified email; `"email"`, `null` for none. */
  email?: string | null;
  /**
   * The entitlement column every role-sync trigger watches (rule columns are added with
   * `roleSync.watchColumns`); `"payment_status"`, `null` for none.
   */
  paymentStatus?: string | null;
}

/** {@link MembersTableOptions} with every default applied. */
export interface MembersTable {
  readonly table: string;
  readonly id: string;
  readonly discordUserId: string;
  readonly discordEmail: string;
  readonly discordUsername: string;
  readonly discordAvatarHash: string;
  readonly discordAvatar: string | null;
  readonly email: string | null;
  readonly paymentStatus: string | null;
  /**
   * True for the seed system's `members` table (the default): guildkit's migrations create and
   * complete it, and its reference columns (`name`, `created_at`, `updated_at`, `discord_last_synced`)
   * exist. False for a host's table, which guildkit never creates or alters (but for its unique
   * index on the Discord id and role sync's triggers).
   */
  readonly reference: boolean;
}

/** The seed system's `members` table, the default shape. */
export const DEFAULT_MEMBERS_TABLE: MembersTable = Object.freeze({
  table: "members",
  id: "id",
  discordUserId: "discord_user_id",
  discordEmail: "discord_email",
  discordUsername: "discord_username",
  discordAvatarHash: "discord_avatar_hash",
  discordAvatar: "discord_avatar",
  email: "email",
  paymentStatus: "payment_status",
  reference: true,
});

/** A name in {@link MembersTableOptions} is not a plain lower-case SQL identifier. */
export class InvalidMembersTableError extends GuildkitError {
  override readonly name = "InvalidMembersTableError";
  /** The option at fault, e.g. `discordUserId`. */
  readonly option: string;

  constructor(option: string, value: unknown) {
    super(
      `members.${option} must be a lower-case SQL identifier (letters, digits, _), got ${JSON.stringify(value)}`,
      { retryable: false, code: "invalid_members_table" },
    );
    this.option = option;
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Applies the defaults and checks every name; throws {@link InvalidMembersTableError}. */
export function resolveMembersTable(options: MembersTableOptions | undefined = {}): MembersTable {
  const shape: Omit<MembersTable, "reference"> = {
    table: options.table ?? DEFAULT_MEMBERS_TABLE.table,
    id: options.id ?? DEFAULT_MEMBERS_TABLE.id,
    discordUserId: options.discordUserId ?? DEFAULT_MEMBERS_TABLE.discordUserId,
    discordEmail: options.discordEmail ?? DEFAULT_MEMBERS_TABLE.discordEmail,
    discordUsername: options.discordUsername ?? DEFAULT_MEMBERS_TABLE.discordUsername,
    discordAvatarHash: options.discordAvatarHash ?? DEFAULT_MEMBERS_TABLE.discordAvatarHash,
    discordAvatar:
      options.discordAvatar === undefined ? DEFAULT_MEMBERS_TABLE.discordAvatar : options.discordAvatar,
    email: options.email === undefined ? DEFAULT_MEMBERS_TABLE.email : options.email,
    paymentStatus:
      options.paymentStatus === undefined ? DEFAULT_MEMBERS_TABLE.paymentStatus : options.paymentStatus,
  };
  for (const [option, value] of Object.entries(shape)) {
    if (value !== null && !IDENTIFIER.test(value)) throw new InvalidMembersTableError(option, value);
  }
  const reference = (Object.keys(shape) as (keyof typeof shape)[]).every(
    (key) => shape[key] === DEFAULT_MEMBERS_TABLE[key],
  );
  return Object.freeze({ ...shape, reference });
}

/** The columns of the host's table guildkit reads or writes (those configured). */
export function membersColumns(shape: MembersTable): string[] {
  return [
    shape.id,
    shape.discordUserId,
    shape.discordEmail,
    shape.discordUsername,
    shape.discordAvatarHash,
    ...(shape.discordAvatar ? [shape.discordAvatar] : []),
    ...(shape.email ? [shape.email] : []),
    ...(shape.paymentStatus ? [shape.paymentStatus] : []),
  ];
}
