/**
 * The role-sync ports of `@guildkit/role-reconciler` as the stores implement them, declared here
 * structurally instead of imported: role-reconciler is an optional peer of the stores, and a
 * project that does not install it (login only, webhooks only) must still type-check the stores'
 * `.d.ts` with `skipLibCheck: false`. A store's `roleSync.queue` is passed to the reconciler as it
 * is — same shape, so the types are interchangeable. `feature-ports.test.ts` fails the typecheck
 * when a declaration here and its original in role-reconciler's `ports.ts` differ in any way; the
 * documentation of each member is role-reconciler's.
 */
import type { IoOptions } from "@guildkit/core";

/** Where a member stands after its last check (role-reconciler's `SyncState`). */
export type SyncState = "ok" | "not_in_guild" | "retrying" | "permanent_error" | "unlinked" | "grace";

/** Entitlement inputs of a member: the columns the rules read, by column name. */
export type MemberAttributes = Readonly<Record<string, unknown>>;

/** The Discord profile a store keeps for a member. */
export interface StoredProfile {
  displayName: string | null;
  avatarHash: string | null;
}

/** A member's sync row, as read by `SyncQueue.scan` (no lease). */
export interface SyncEntry {
  memberId: string;
  discordUserId: string | null;
  deleted: boolean;
  attributes: MemberAttributes;
  profile: StoredProfile;
  attempts: number;
  state: SyncState | null;
  dirty: boolean;
  dueAt: Date;
  version: number;
}

/** A claimed member: a {@link SyncEntry} with its lease. */
export interface SyncItem extends SyncEntry {
  leaseOwner: string;
  leaseExpiresAt: Date;
}

/** What `SyncQueue.complete` records. */
export interface SyncOutcome {
  state: SyncState;
  checkedAt: Date;
  nextDueAt: Date | null;
  attempts: number;
  lastError: string | null;
  forget: boolean;
}

/** Options of `SyncQueue.claimDue`. */
export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  limit: number;
  now: Date;
  dueBy?: Date;
  columns: readonly string[];
}

/** The queue of members to reconcile (role-reconciler's `SyncQueue`). */
export interface SyncQueue {
  claimDue(opts: ClaimOptions, io?: IoOptions): Promise<SyncItem[]>;
  complete(item: SyncItem, outcome: SyncOutcome, io?: IoOptions): Promise<boolean>;
  completeMany(results: readonly { item: SyncItem; outcome: SyncOutcome }[], io?: IoOptions): Promise<number>;
  release(item: SyncItem, io?: IoOptions): Promise<boolean>;
  markDue(
    opts: { now: Date; memberIds?: readonly string[]; states?: readonly SyncState[] },
    io?: IoOptions,
  ): Promise<number>;
  scheduleFullPass(opts: { now: Date; checkedBefore: Date }, io?: IoOptions): Promise<number>;
  countDue(opts: { now: Date; dueBy?: Date }, io?: IoOptions): Promise<number>;
  appliedSettings(io?: IoOptions): Promise<string | null>;
  saveAppliedSettings(opts: { fingerprint: string; now: Date }, io?: IoOptions): Promise<void>;
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

/** Reads members by the Discord account they link (role-reconciler's `LinkedMembers`). */
export interface LinkedMembers {
  findByDiscordIds(
    opts: { discordUserIds: readonly string[]; columns: readonly string[] },
    io?: IoOptions,
  ): Promise<LinkedMember[]>;
}

/** One ledger row: `discordUserId` may hold `roleId` on account of member `memberId`. */
export interface Grant {
  memberId: string;
  discordUserId: string;
  roleId: string;
}

/** `granted` (guildkit added the role) or `adopted` (the account held it already). */
export type GrantOrigin = "granted" | "adopted";

/** A grant to record, with its origin (default `granted`). */
export interface NewGrant extends Grant {
  origin?: GrantOrigin;
}

/** A ledger row as listed: the grant, its origin and when its grace period began (`null`: entitled). */
export interface LedgerRow extends Grant {
  origin: GrantOrigin;
  lapsedAt: Date | null;
}

/** Which Discord account was granted which roles (role-reconciler's `GrantLedger`). */
export interface GrantLedger {
  list(opts: { memberIds: readonly string[] }, io?: IoOptions): Promise<LedgerRow[]>;
  add(opts: { grants: readonly NewGrant[] }, io?: IoOptions): Promise<void>;
  markLapsed(opts: { grants: readonly Grant[]; lapsedAt: Date | null }, io?: IoOptions): Promise<void>;
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
  avatar?: StoredAvatar;
}

/** Stores the display name and avatar of members (role-reconciler's `MemberProfiles`). */
export interface MemberProfiles {
  save(update: ProfileUpdate, io?: IoOptions): Promise<void>;
}
