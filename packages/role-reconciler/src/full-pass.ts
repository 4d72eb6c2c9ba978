import type { Clock, SyncQueue } from "./ports";
import type { RoleReconciler, RunOptions, RunSummary } from "./reconcile";

/** What {@link fullPass} works with. */
export interface FullPassDeps {
  reconciler: Pick<RoleReconciler, "drain">;
  queue: Pick<SyncQueue, "scheduleFullPass" | "countDue">;
  clock: Clock;
}

/** Options of {@link fullPass}: those of a run, plus where the total goes before the pass starts. */
export interface FullPassOptions extends RunOptions {
  /** Called once every member is marked, with the number of members the pass will reconcile. */
  onStart?(total: number): void;
}

/** What a full pass did. */
export interface FullPassResult {
  /**
   * Members due once marked: every linked member, plus those already due and pending revocations;
   * members in backoff keep their retry time (see `SyncQueue.scheduleFullPass`) and are not counted.
   */
  total: number;
  summary: RunSummary;
}

/**
 * A full reconciliation now (`guildkit reconcile --all`): makes due every linked member checked up
 * to this moment, then drains the queue — the same rounds the worker runs, so claims, leases,
 * backoff and blocks all apply. Resolves the total and the drained summary.
 */
export async function fullPass(deps: FullPassDeps, opts: FullPassOptions): Promise<FullPassResult> {
  const { onStart, ...run } = opts;
  const now = deps.clock.now();
  const io = { signal: opts.signal };
  await deps.queue.scheduleFullPass({ now, checkedBefore: new Date(now.getTime() + 1) }, io);
  const total = await deps.queue.countDue({ now }, io);
  onStart?.(total);
  const summary = await deps.reconciler.drain(run);
  return { total, summary };
}

/** True when a full pass leaves something an operator must fix: a permanent failure or a guild block. */
export function fullPassNeedsAttention(summary: RunSummary): boolean {
  return summary.permanentErrors > 0 || summary.blockedUntil !== null;
}
