import type { Block } from "./blocks";
import { createPace } from "./reconcile/batch";
import { type PlanOptions, planFullReconciliation, type ReconcilePlan } from "./reconcile/dry-run";
import { createEngine } from "./reconcile/engine";
import type { RoleReconcilerDeps } from "./reconcile/options";
import { drain, type RoundDeps, type RunOptions, runOnce } from "./reconcile/round";
import { createSettingsWatch } from "./reconcile/settings-watch";
import { createSnapshotCache } from "./reconcile/snapshot-cache";
import { createClaimReturns } from "./reconcile/stranded";
import type { RunSummary } from "./reconcile/summary";

export type { PlannedChange, PlanOptions, ReconcilePlan } from "./reconcile/dry-run";
export {
  DEFAULT_LIFECYCLE,
  DEFAULT_RECONCILER_OPTIONS,
  type LapseAction,
  type LifecycleSettings,
  lifecycleOf,
  type ReconcilerOptions,
  type RoleReconcilerDeps,
  type RoleSyncSettings,
} from "./reconcile/options";
export type { ModeChoice, RunOptions } from "./reconcile/round";
export type { MemberResult, RunSummary } from "./reconcile/summary";

/** The reconciler: claims due members and converges Discord to their entitlement. */
export interface RoleReconciler {
  /**
   * One round: counts due members, picks bulk or per-member by cost, claims, reconciles and records.
   * A bulk round keeps claiming until nothing is due within the look-ahead window.
   */
  runOnce(opts: RunOptions): Promise<RunSummary>;
  /** Rounds until nothing is due now (the CLI's `reconcile --all`). */
  drain(opts: RunOptions): Promise<RunSummary>;
  /** The dry run: what a full reconciliation would change, without claiming or changing anything. */
  plan(opts: PlanOptions): Promise<ReconcilePlan>;
  /** Blocks currently held (for health pages). */
  blocks(): Block[];
}

/**
 * Creates the reconciler. Its pieces live in `./reconcile/`: the settings watch, the guild-listing
 * cache, the rounds (bulk and per-member), batches and their outcome buffer, one member's
 * processing (read, apply plan, profile refresh, outcome), the blocks of permanent failures, the
 * claims given back, and the dry run.
 *
 * @example
 * const reconciler = createRoleReconciler({ queue, ledger, members, profiles, eventLog, clock, scheduler, owner: "worker-1" });
 * const summary = await reconciler.runOnce({ settings, gateway });
 */
export function createRoleReconciler(deps: RoleReconcilerDeps): RoleReconciler {
  const engine = createEngine(deps);
  const cache = createSnapshotCache(engine);
  const round: RoundDeps = {
    engine,
    cache,
    returns: createClaimReturns(engine.queue),
    pace: createPace(),
    settingsWatch: createSettingsWatch(engine, {
      forget: () => cache.reset(),
      guildChanged: () => cache.forgetSize(),
    }),
  };
  return {
    runOnce: (opts) => runOnce(round, opts),
    drain: (opts) => drain(round, opts),
    plan: (opts) => planFullReconciliation(engine, cache, opts),
    blocks: () => engine.blocks.list(),
  };
}
