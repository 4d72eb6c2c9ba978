import { type BackoffPolicy, DEFAULT_BACKOFF } from "../backoff";
import { GUILD_PAGE_SIZE } from "../cost";
import type { EntitlementRule } from "../entitlement";
import type {
  Clock,
  EventLog,
  GrantLedger,
  LinkedMembers,
  MemberProfiles,
  Scheduler,
  SyncQueue,
} from "../ports";

/** What happens to an account whose entitlement ended (after any grace period). */
export type LapseAction = "remove" | "kick";

/** The membership lifecycle settings of role sync; every field has a default. */
export interface LifecycleSettings {
  /**
   * How long an account whose entitlement ended keeps its roles (default 0: removed at once). Only
   * roles the ledger recorded for the member get a grace period, and only when nobody linked to the
   * account is entitled to anything any more (a tier change or a trial converting is immediate).
   */
  graceMs: number;
  /** `remove` the roles (default) or `kick` the member from the guild, with an audit-log reason. */
  onLapse: LapseAction;
  /**
   * Remove only roles guildkit granted (the ledger's `granted` rows): a role given by hand is left
   * alone. Default `false`: "paid ⇔ role", every managed role an unentitled account holds is removed.
   */
  managedGrantsOnly: boolean;
}

/** Defaults of {@link LifecycleSettings}. */
export const DEFAULT_LIFECYCLE: Readonly<LifecycleSettings> = Object.freeze({
  graceMs: 0,
  onLapse: "remove",
  managedGrantsOnly: false,
});

/** The settings one run works with (loaded per run, so a change needs no restart). */
export interface RoleSyncSettings {
  guildId: string;
  /** Validated rules (see `resolveRules`). */
  rules: readonly EntitlementRule[];
  /** Full-reconciliation interval (see `syncIntervalMs`). */
  syncIntervalMs: number;
  /** Grace period, kick on lapse, managed grants only (see {@link LifecycleSettings}; defaults apply). */
  lifecycle?: Partial<LifecycleSettings>;
}

/** The lifecycle settings with their defaults filled in. */
export function lifecycleOf(settings: Pick<RoleSyncSettings, "lifecycle">): LifecycleSettings {
  return { ...DEFAULT_LIFECYCLE, ...settings.lifecycle };
}

/** Tuning of the reconciler; every field has a default. */
export interface ReconcilerOptions {
  /** Lease taken on each claimed member (default 60 s). A crashed worker delays a member by this much. */
  leaseMs: number;
  /** A member is only started with at least this much lease left (default 15 s); otherwise released. */
  leaseGuardMs: number;
  /** Calls for a member are aborted this long before its lease ends (default 2 s). */
  leaseSafetyMs: number;
  /** Members claimed at once in per-member mode (default 10). */
  perMemberBatch: number;
  /** Most members claimed at once in bulk mode (default 500; fewer when changes are slow). */
  bulkBatch: number;
  /** Members per List Guild Members page (default 1,000, Discord's maximum). */
  pageSize: number;
  /** Backoff of transient failures (default 300 s × 2^(attempt−1), capped at 86,400 s, 20 % jitter). */
  backoff: BackoffPolicy;
  /**
   * A guild listing is reused for this long (default 1 h): members changed since are re-read one by
   * one, so only a manual role edit made in Discord meanwhile waits for the next pass.
   */
  snapshotMaxAgeMs: number;
  /** How long a permanent failure blocks its role/guild before one probe call (default 15 min). */
  probeMs: number;
}

/** Defaults of {@link ReconcilerOptions}. */
export const DEFAULT_RECONCILER_OPTIONS: Readonly<ReconcilerOptions> = Object.freeze({
  leaseMs: 60_000,
  leaseGuardMs: 15_000,
  leaseSafetyMs: 2_000,
  perMemberBatch: 10,
  bulkBatch: 500,
  pageSize: GUILD_PAGE_SIZE,
  backoff: DEFAULT_BACKOFF,
  snapshotMaxAgeMs: 3_600_000,
  probeMs: 900_000,
});

/** What the reconciler is built from. */
export interface RoleReconcilerDeps {
  queue: SyncQueue;
  ledger: GrantLedger;
  members: LinkedMembers;
  profiles: MemberProfiles;
  eventLog: EventLog;
  clock: Clock;
  scheduler: Scheduler;
  /** Lease owner: a unique id for this worker. */
  owner: string;
  /** Random source for jitter (default `Math.random`). */
  random?: () => number;
  options?: Partial<ReconcilerOptions>;
}
