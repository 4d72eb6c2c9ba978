import { claimBatchSize } from "../claim";
import { chooseMode, type ModeDecision } from "../cost";
import { managedRoles, ruleColumns } from "../entitlement";
import { isAbortError } from "../errors";
import type { GuildGateway } from "../ports";
import { bulkLookaheadMs } from "../schedule";
import { type BatchDeps, type BatchRun, processBatch } from "./batch";
import type { BatchContext } from "./engine";
import { GuildBlockedSignal, guildBlockedUntil } from "./incidents";
import { takeSnapshot } from "./live-snapshot";
import type { RoleSyncSettings } from "./options";
import type { SettingsWatch } from "./settings-watch";
import type { SnapshotCache } from "./snapshot-cache";
import { addSummary, emptySummary, type RunSummary } from "./summary";

/** How a run picks its mode: by cost (`auto`, default) or forced. */
export type ModeChoice = "auto" | "bulk" | "per_member";

/** Options of one run. */
export interface RunOptions extends BatchRun {
  settings: RoleSyncSettings;
  gateway: GuildGateway;
  /** Soft stop (SIGTERM): finish the member in hand, release the rest, return. */
  stop?: AbortSignal;
  /** Hard stop: abort the calls in flight; the member in hand is released, not recorded. */
  signal?: AbortSignal;
  mode?: ModeChoice;
}

/** What rounds are run with: a batch's deps, the listing cache and the settings watch. */
export interface RoundDeps extends BatchDeps {
  cache: SnapshotCache;
  settingsWatch: SettingsWatch;
}

/** A bulk round: claims in batches (with the look-ahead) while the listing is young enough. */
async function runBulk(deps: RoundDeps, ctx: BatchContext, run: RunOptions): Promise<void> {
  const { engine } = deps;
  const { options } = engine;
  const snap = ctx.snapshot!;
  const columns = ruleColumns(ctx.settings.rules);
  for (;;) {
    if (run.stop?.aborted || run.signal?.aborted) return;
    const claimAt = engine.clock.now();
    if (claimAt.getTime() - snap.takenAt.getTime() >= options.snapshotMaxAgeMs) return;
    const limit = claimBatchSize({
      leaseMs: options.leaseMs,
      msPerItem: deps.pace.msPerItem(),
      max: options.bulkBatch,
    });
    const items = await engine.queue.claimDue(
      {
        owner: engine.owner,
        leaseMs: options.leaseMs,
        limit,
        now: claimAt,
        dueBy: new Date(claimAt.getTime() + bulkLookaheadMs(ctx.settings.syncIntervalMs)),
        columns,
      },
      { signal: run.signal },
    );
    if (items.length === 0) return;
    ctx.summary.claimed += items.length;
    await processBatch(deps, ctx, items, run);
    if (ctx.summary.blockedUntil) return;
  }
}

/** A per-member round: one batch of `perMemberBatch`, each member read one by one. */
async function runPerMember(deps: RoundDeps, ctx: BatchContext, run: RunOptions): Promise<void> {
  const { engine } = deps;
  const { options } = engine;
  const items = await engine.queue.claimDue(
    {
      owner: engine.owner,
      leaseMs: options.leaseMs,
      limit: options.perMemberBatch,
      now: engine.clock.now(),
      columns: ruleColumns(ctx.settings.rules),
    },
    { signal: run.signal },
  );
  ctx.summary.claimed += items.length;
  if (items.length > 0) await processBatch(deps, ctx, items, run);
}

/** Picks bulk or per-member for the members due (`chooseMode`, unless forced). */
function decide(
  deps: RoundDeps,
  run: RunOptions,
  due: number,
  now: Date,
): { decision: ModeDecision; wantBulk: boolean } {
  const { engine } = deps;
  const choice = run.mode ?? "auto";
  const bulkBlocked = engine.blocks.active({ kind: "bulk" }, now) !== null;
  const decision = chooseMode({
    dueCount: due,
    guildSizeEstimate: deps.cache.guildSizeEstimate,
    pageSize: engine.options.pageSize,
    bulkAvailable: choice !== "per_member" && !bulkBlocked,
  });
  return { decision, wantBulk: choice === "bulk" ? !bulkBlocked : decision.mode === "bulk" };
}

/**
 * One round: counts due members, picks bulk or per-member by cost, claims, reconciles and records.
 * A bulk round keeps claiming until nothing is due within the look-ahead window.
 */
export async function runOnce(deps: RoundDeps, run: RunOptions): Promise<RunSummary> {
  const { engine } = deps;
  const summary = emptySummary();
  const { settings, gateway } = run;
  const hard = run.signal;
  await deps.returns.giveBack(hard);
  await deps.settingsWatch.observe(settings, hard);
  const now = engine.clock.now();
  const blockedUntil = guildBlockedUntil(engine, now);
  if (blockedUntil) {
    summary.blockedUntil = blockedUntil;
    return summary;
  }
  if (engine.blocks.takeExpired(now).some((block) => block.scope.kind === "role")) {
    // Re-try the members a blocked role failed: the first one probes the role.
    await engine.queue.markDue({ now, states: ["permanent_error"] }, { signal: hard });
  }
  summary.due = await engine.queue.countDue({ now }, { signal: hard });
  if (summary.due === 0) return summary;
  const { decision, wantBulk } = decide(deps, run, summary.due, now);
  summary.decision = decision;
  const base = { settings, gateway, managed: managedRoles(settings.rules), summary, hard };
  try {
    if (wantBulk) {
      const listingSignal = run.stop && hard ? AbortSignal.any([run.stop, hard]) : (run.stop ?? hard);
      const maxPages = run.mode === "bulk" ? Number.POSITIVE_INFINITY : decision.maxPages;
      const snapshot = await takeSnapshot(engine, deps.cache, base, maxPages, listingSignal);
      if (snapshot) {
        summary.mode = "bulk";
        await runBulk(deps, { ...base, snapshot }, run);
        return summary;
      }
    }
    summary.mode = "per_member";
    await runPerMember(deps, { ...base, snapshot: null }, run);
    return summary;
  } catch (error) {
    if (error instanceof GuildBlockedSignal) {
      summary.blockedUntil = error.until;
      return summary;
    }
    // A soft stop during the listing: nothing was claimed, so there is nothing to finish.
    if (run.stop?.aborted && !hard?.aborted && isAbortError(error)) return summary;
    throw error;
  }
}

/** Rounds until nothing is due now (the CLI's `reconcile --all`); the counters of every round added up. */
export async function drain(deps: RoundDeps, run: RunOptions): Promise<RunSummary> {
  const total = emptySummary();
  let first = true;
  for (;;) {
    if (run.stop?.aborted || run.signal?.aborted) return total;
    const round = await runOnce(deps, run);
    if (first) {
      total.due = round.due;
      total.decision = round.decision;
      total.mode = round.mode;
      first = false;
    }
    addSummary(total, round);
    if (round.blockedUntil) {
      total.blockedUntil = round.blockedUntil;
      return total;
    }
    if (round.due === 0 || round.claimed === 0) return total;
  }
}
