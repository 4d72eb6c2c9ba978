/**
 * The ports of the role reconciler: what it needs from a store, from Discord and from the process.
 * Adapters implement them structurally (`@guildkit/store-sqlite`, `@guildkit/store-postgres`,
 * `@guildkit/discord-rest`); tests implement them in memory.
 *
 * Conventions: one options object plus an optional `{ signal }`, `Promise` results, absence is
 * `null`, member ids are strings whatever the database stores.
 */
import type { IoOptions } from "@guildkit/core";

export type { Clock, EventLog, EventLogEntry, IoOptions, Scheduler } from "@guildkit/core";

/**
 * Where a member stands after its last check.
 * - `ok`: Discord matches the entitlement.
 * - `not_in_guild`: the linked account is not a member of the guild; re-checked on the normal interval.
 * - `retrying`: a transient failure; re-tried with exponential backoff.
 * - `permanent_error`: Discord refused for a reason retrying cannot fix (permissions, hierarchy,
 *   unknown role); recorded with its reason and re-checked on the normal interval.
 * - `unlinked`: no Discord account and nothing left to revoke.
 * - `grace`: the entitlement ended and the account keeps its roles until the grace period ends
 *   (the member is due again then).
 */
export type SyncState = "ok" | "not_in_guild" | "retrying" | "permanent_error" | "unlinked" | "grace";

/** Entitlement inputs of a member: the columns the rules read, by column name. */
export type MemberAttributes = Readonly<Record<string, unknown>>;

/** The Discord profile a store keeps for a member. */
export interface StoredProfile {
  /** Display name last stored (nick > global_name > username). */
  displayName: string | null;
  /** Hash of the avatar whose bytes are stored; `null` when none is stored. */
  avatarHash: string | null;
}

/** A member's sync row, as read by {@link SyncQueue.scan} (no lease). */
export interface SyncEntry {
  memberId: string;
  /** The Discord account linked now; `null` when unlinked or deleted. */
  discordUserId: string | null;
  /** True when the member row is gone (its sync row stays until revocation is done). */
  deleted: boolean;
  /** Values of the columns requested with `columns` (missing column → `undefined`). */
  attributes: MemberAttributes;
  profile: StoredProfile;
  /** Consecutive failed attempts (0 after a success). */
  attempts: number;
  /** State recorded by the last check; `null` when never checked. */
  state: SyncState | null;
  /** True when a change marked the member due (as opposed to a scheduled re-check). */
  dirty: boolean;
  /** When the member became due. */
  dueAt: Date;
  /**
   * Bumped by the store each time a change marks the member due. {@link SyncQueue.complete}
   * keeps the member due when the version moved since the claim (a change arrived meanwhile).
   */
  version: number;
}

/** A claimed member: a {@link SyncEntry} with its lease. */
export interface SyncItem extends SyncEntry {
  leaseOwner: string;
  leaseExpiresAt: Date;
}

/** What {@link SyncQueue.complete} records. */
export interface SyncOutcome {
  state: SyncState;
  checkedAt: Date;
  /** Next time the member is due; `null` for never (unlinked, nothing to revoke). */
  nextDueAt: Date | null;
  /** Consecutive failures after this check (0 on success). */
  attempts: number;
  /** Human-readable reason of the last failure, `null` on success. */
  lastError: string | null;
  /** True when the member was deleted and everything is revoked: drop the sync row. */
  forget: boolean;
}

/** Options of {@link SyncQueue.claimDue}. */
export interface ClaimOptions {
  /** Lease owner (a worker id). */
  owner: string;
  /** Lease length; an expired lease is claimable again. */
  leaseMs: number;
  /** Most members to claim. */
  limit: number;
  /** The current time (leases are compared against it). */
  now: Date;
  /**
   * Also claim members due at or before this later time (default `now`): a bulk pass looks a little
   * ahead. The look-ahead skips members in backoff (state `retrying`): they are claimed only once
   * their retry time has come, so a transient failure is never retried early.
   */
  dueBy?: Date;
  /** Member columns to return in `attributes` (validated identifiers, see `ruleColumns`). */
  columns: readonly string[];
}

/**
 * The queue of members to reconcile, kept by the store. Rows exist for every linked member and for
 * unlinked or deleted members until their grants are revoked; database triggers mark a member due
 * (and bump its version) whenever a change could alter the outcome.
 */
export interface SyncQueue {
  /**
   * Atomically claims up to `limit` due members whose lease is free or expired, dirty ones first,
   * then oldest due first. No member is ever returned to two owners with overlapping leases.
   */
  claimDue(opts: ClaimOptions, io?: IoOptions): Promise<SyncItem[]>;
  /**
   * Records the outcome and frees the lease, only if `item.leaseOwner` still holds it. When the
   * version moved since the claim, the member stays due (dirty) whatever `nextDueAt` says.
   * Resolves `false` when the lease was lost (nothing written).
   */
  complete(item: SyncItem, outcome: SyncOutcome, io?: IoOptions): Promise<boolean>;
  /**
   * {@link SyncQueue.complete} for many members at once (one statement per few hundred), each only
   * while its lease is held. Resolves how many were recorded.
   */
  completeMany(results: readonly { item: SyncItem; outcome: SyncOutcome }[], io?: IoOptions): Promise<number>;
  /** Frees the lease without recording anything (the member stays due). `false` when lease lost. */
  release(item: SyncItem, io?: IoOptions): Promise<boolean>;
  /** Marks members due now (dirty), by id and/or by recorded state. Resolves the number marked. */
  markDue(
    opts: { now: Date; memberIds?: readonly string[]; states?: readonly SyncState[] },
    io?: IoOptions,
  ): Promise<number>;
  /**
   * The full-pass safety net: makes due every linked member not checked since `checkedBefore`
   * (creating missing rows). A member in backoff (state `retrying`, retry time still ahead) keeps its
   * retry time: the interval guarantee never cuts a running backoff short. Resolves the number of
   * members made due.
   */
  scheduleFullPass(opts: { now: Date; checkedBefore: Date }, io?: IoOptions): Promise<number>;
  /**
   * Number of members due at `now`, leased or not; with `dueBy`, also those due by then that are not
   * in backoff (as {@link SyncQueue.claimDue} counts them).
   */
  countDue(opts: { now: Date; dueBy?: Date }, io?: IoOptions): Promise<number>;
  /**
   * The fingerprint of the settings (guild and rules) the queue's check times were last computed
   * under, as recorded by {@link SyncQueue.saveAppliedSettings}; `null` when none was recorded.
   * Kept in the database, so a change made while no worker ran is noticed at the next start.
   */
  appliedSettings(io?: IoOptions): Promise<string | null>;
  /** Records the fingerprint of the settings now applied (replacing the previous one). */
  saveAppliedSettings(opts: { fingerprint: string; now: Date }, io?: IoOptions): Promise<void>;
  /** Reads every sync row page by page, without claiming (dry runs). `after`: last id of the previous page. */
  scan(
    opts: { after: string | null; limit: number; columns: readonly string[] },
    io?: IoOptions,
  ): Promise<SyncEntry[]>;
}

/** A member linked to a Discord account, with its entitlement inputs. */
export interface LinkedMember {
  memberId: string;
  discordUserId: string;
  attributes: MemberAttributes;
}

/** Reads members by the Discord account they link (several members may share one account). */
export interface LinkedMembers {
  /** Every existing member whose `discord_user_id` is one of `discordUserIds`. */
  findByDiscordIds(
    opts: { discordUserIds: readonly string[]; columns: readonly string[] },
    io?: IoOptions,
  ): Promise<LinkedMember[]>;
}

/**
 * One ledger row: Discord account `discordUserId` may hold `roleId` on account of member `memberId`.
 * When the member stops being linked to that account (unlink, relink, delete), the role is revoked
 * unless another member linked to the account is entitled to it.
 */
export interface Grant {
  memberId: string;
  discordUserId: string;
  roleId: string;
}

/**
 * How a ledger row came to be: `granted` — guildkit added the role; `adopted` — the account held the
 * role already when the member became entitled (given by hand, or by the seed system). With
 * "managed grants only" only `granted` roles are ever removed.
 */
export type GrantOrigin = "granted" | "adopted";

/** A grant to record: a {@link Grant} with its origin (default `granted`). */
export interface NewGrant extends Grant {
  origin?: GrantOrigin;
}

/** A ledger row as listed: the grant, its origin and its lapse. */
export interface LedgerRow extends Grant {
  origin: GrantOrigin;
  /**
   * When the reconciler found the member no longer entitled to the role while it kept it for the
   * grace period; `null` while entitled (or without a grace period).
   */
  lapsedAt: Date | null;
}

/** Remembers which Discord account was granted which roles, on account of which member. */
export interface GrantLedger {
  /** Every grant recorded for these members (deleted members included). */
  list(opts: { memberIds: readonly string[] }, io?: IoOptions): Promise<LedgerRow[]>;
  /**
   * Records grants (idempotent). Written before the role is added, so a crash cannot leak it. A row
   * already recorded keeps its lapse; its origin becomes `granted` when a `granted` grant is added.
   */
  add(opts: { grants: readonly NewGrant[] }, io?: IoOptions): Promise<void>;
  /** Sets (a grace period starts) or clears (`null`: entitled again) the lapse of recorded grants. */
  markLapsed(opts: { grants: readonly Grant[]; lapsedAt: Date | null }, io?: IoOptions): Promise<void>;
  /** Forgets grants (idempotent). */
  remove(opts: { grants: readonly Grant[] }, io?: IoOptions): Promise<void>;
}

/** An avatar to store with its hash (`bytes` and `hash` both `null` clear it). */
export interface StoredAvatar {
  hash: string | null;
  bytes: Uint8Array | null;
}

/** A profile update for one member. */
export interface ProfileUpdate {
  memberId: string;
  displayName: string | null;
  /** Omitted: keep the stored avatar (unchanged, or its download failed). */
  avatar?: StoredAvatar;
}

/** Stores the display name and avatar of members. */
export interface MemberProfiles {
  save(update: ProfileUpdate, io?: IoOptions): Promise<void>;
}

/** The Discord user fields the reconciler reads (a subset of Discord's User object). */
export interface DiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
}

/** The guild-member fields the reconciler reads (a subset of Discord's Guild Member object). */
export interface DiscordGuildMember {
  user?: DiscordUser;
  nick?: string | null;
  /** Guild-specific avatar hash. */
  avatar?: string | null;
  roles: readonly string[];
}

/** Which avatar image to download. */
export interface AvatarRef {
  guildId: string;
  userId: string;
  hash: string;
  /** `guild`: the member's guild avatar; `user`: the account avatar. */
  source: "guild" | "user";
}

/** Options of a role change. */
export interface RoleChangeRequest {
  guildId: string;
  userId: string;
  roleId: string;
  /** Sent as `X-Audit-Log-Reason` (1–512 characters). */
  reason: string;
}

/** Options of a kick. */
export interface MemberRemovalRequest {
  guildId: string;
  userId: string;
  /** Sent as `X-Audit-Log-Reason` (1–512 characters). */
  reason: string;
}

/**
 * The Discord side. Failures follow `@guildkit/core`'s error contract (`RetryableError`: `retryable`,
 * `retryAfterMs`, `status`, `code`), plus a `route` (as `DiscordApiError` of `@guildkit/discord-rest`
 * does); an error outside the contract is treated as a transient failure without an answer.
 */
export interface GuildGateway {
  /**
   * The member, or `null` when the user is not in the guild (10007 Unknown Member).
   * @see https://discord.com/developers/docs/resources/guild#get-guild-member
   */
  getMember(opts: { guildId: string; userId: string }, io?: IoOptions): Promise<DiscordGuildMember | null>;
  /**
   * One page of members sorted by user id, after user id `after` (`null`: from the start).
   * @see https://discord.com/developers/docs/resources/guild#list-guild-members
   */
  listMembers(
    opts: { guildId: string; after: string | null; limit: number },
    io?: IoOptions,
  ): Promise<DiscordGuildMember[]>;
  /** @see https://discord.com/developers/docs/resources/guild#add-guild-member-role */
  addRole(opts: RoleChangeRequest, io?: IoOptions): Promise<void>;
  /** @see https://discord.com/developers/docs/resources/guild#remove-guild-member-role */
  removeRole(opts: RoleChangeRequest, io?: IoOptions): Promise<void>;
  /**
   * Kicks the member from the guild (the "kick on lapse" option); 10007 Unknown Member when it left.
   * @see https://discord.com/developers/docs/resources/guild#remove-guild-member
   */
  removeMember(opts: MemberRemovalRequest, io?: IoOptions): Promise<void>;
  /**
   * The avatar image bytes (PNG).
   * @see https://discord.com/developers/docs/reference#image-formatting-cdn-endpoints
   */
  fetchAvatar(opts: AvatarRef, io?: IoOptions): Promise<Uint8Array>;
}
