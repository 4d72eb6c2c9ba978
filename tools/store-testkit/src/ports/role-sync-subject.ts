import type {
  GrantLedger,
  LinkedMembers,
  MemberProfiles,
  SyncQueue,
  SyncState,
} from "@guildkit/role-reconciler";

/** A sync row as the kits read it back (straight from the table or the map, not through the port). */
export interface SyncRowView {
  leaseOwner: string | null;
  state: SyncState | null;
  dirty: boolean;
  version: number;
  /** `new Date(0)` for a member a change marked due (it sorts before every scheduled re-check). */
  nextDueAt: Date | null;
  attempts: number;
  lastError: string | null;
}

/**
 * One implementation of the role-sync ports under test (`SyncQueue`, `GrantLedger`,
 * `LinkedMembers`, `MemberProfiles` of `@guildkit/role-reconciler`), with the host's own writes to
 * its members — which must mark members due as the SQL stores' triggers do — and backdoor reads.
 */
export interface RoleSyncSubject {
  /**
   * The entitlement column the kits claim with and read back in `attributes` (`createMember`'s and
   * `updateMember`'s `paymentStatus` write it); `payment_status` by default.
   */
  ruleColumn?: string;
  queue: SyncQueue;
  ledger: GrantLedger;
  linkedMembers: LinkedMembers;
  profiles: MemberProfiles;
  /** The host inserts a member (linked when `discordUserId` is set); resolves its id. */
  createMember(m: { discordUserId: string | null; paymentStatus: string | null }): Promise<string>;
  /** The host updates a member's Discord link and/or `payment_status`. */
  updateMember(
    id: string,
    patch: { discordUserId?: string | null; paymentStatus?: string | null },
  ): Promise<void>;
  /** The host deletes a member. */
  deleteMember(id: string): Promise<void>;
  /** Backdoor: the member's sync row, or `null`. */
  syncRow(memberId: string): Promise<SyncRowView | null>;
  /** Backdoor: drops the member's sync row (as if it were never created). */
  dropSyncRow(memberId: string): Promise<void>;
  /** Backdoor: every grant as a sorted `member|account|role` string. */
  grantKeys(): Promise<string[]>;
  /**
   * Backdoor: every grant as a sorted `member|account|role|origin|lapsed` string — the stored origin
   * (`null` when none is stored) and the lapse as an ISO time (or `null`).
   */
  grantDetails(): Promise<string[]>;
  /** Backdoor: the stored profile of a member (`avatarBytes` as numbers), or `null` when no member. */
  profile(
    memberId: string,
  ): Promise<{ displayName: string | null; avatarHash: string | null; avatarBytes: number[] | null } | null>;
}

export const D1 = "100000000000000001";
export const D2 = "100000000000000002";
export const D3 = "100000000000000003";
export const ROLE = "900000000000000001";
export const T0 = new Date("2026-01-01T00:00:00.000Z");
export const COLUMNS = ["payment_status"];

/** The rule columns the kits pass: the subject's entitlement column. */
export function columnsOf(subject: RoleSyncSubject): string[] {
  return subject.ruleColumn ? [subject.ruleColumn] : COLUMNS;
}
