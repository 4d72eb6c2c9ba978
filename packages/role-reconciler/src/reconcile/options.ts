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

/** The settings one run works with (loaded per run, so a change needs no restart). */
export interface RoleSyncSettings {
  guildId: string;
  /** Validated rules (see `resolveRules`). */
  rules: readonly EntitlementRule[];
  /** Full-reconciliation interval (see `syncIntervalMs`). */
  syncIntervalMs: number;
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
