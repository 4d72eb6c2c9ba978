import { canStart, leaseSignal } from "../claim";
import { ruleColumns } from "../entitlement";
import { isAbortError } from "../errors";
import { type MemberAccounts, memberAccounts } from "../plan";
import type { LinkedMember, SyncItem, SyncOutcome } from "../ports";
import { type BatchContext, type Engine, groupLinked } from "./engine";
import { GuildBlockedSignal, logMemberFailure, logNotInGuild } from "./incidents";
import type { ItemProblems } from "./outcome";
import { processItem } from "./process-item";
import { liveReadEffects } from "./read-member";
import type { ClaimReturns } from "./stranded";
import type { MemberResult, RunSummary } from "./summary";

/** The measured time per member (a moving average), which sizes bulk claims. */
export interface Pace {
  /** `null` before any measurement. */
  msPerItem(): number | null;
  record(elapsedMs: number): void;
}

/** Creates a {@link Pace}. */
export function createPace(): Pace {
  let msPerItem: number | null = null;
  return {
    msPerItem: () => msPerItem,
    record(elapsed) {
      msPerItem = msPerItem === null ? elapsed : msPerItem * 0.8 + elapsed * 0.2;
    },
  };
}

/** What a batch is processed with, beyond its context. */
export interface BatchDeps {
  engine: Engine;
  returns: ClaimReturns;
  pace: Pace;
}

/** The stops and the progress callback of a run. */
export interface BatchRun {
  stop?: AbortSignal;
  signal?: AbortSignal;
  onMember?: (result: MemberResult) => void;
}

/** The grants and linked members a batch needs; on failure the batch's claims are given back. */
async function loadBatch(
  deps: BatchDeps,
  items: SyncItem[],
  columns: string[],
  run: BatchRun,
  summary: RunSummary,
) {
  const { engine } = deps;
  const hard = run.signal;
  try {
    const grants = await engine.ledger.list({ memberIds: items.map((i) => i.memberId) }, { signal: hard });
    const accountsOf = new Map(items.map((item) => [item.memberId, memberAccounts(item, grants)]));
    const accountIds = new Set<string>();
    for (const accounts of accountsOf.values()) {
      if (accounts.current) accountIds.add(accounts.current);
      for (const id of accounts.previous.keys()) accountIds.add(id);
    }
    const linked =
      accountIds.size > 0
        ? await engine.members.findByDiscordIds(
            { discordUserIds: [...accountIds], columns },
            { signal: hard },
          )
        : [];
    return { accountsOf, linkedByAccount: groupLinked(linked) };
  } catch (error) {
    await deps.returns.release(items, summary, run.onMember);
    throw error;
  }
}

/**
 * Outcomes are recorded together (one statement per batch); every step is idempotent, so a crash
 * before the flush only means the members are reconciled again.
 */
function createOutcomeBuffer(deps: BatchDeps, summary: RunSummary, hard: AbortSignal | undefined) {
  const pending: { item: SyncItem; outcome: SyncOutcome }[] = [];
  return {
    oldest: (): SyncItem | undefined => pending[0]?.item,
    push: (item: SyncItem, outcome: SyncOutcome) => pending.push({ item, outcome }),
    async flush(): Promise<void> {
      if (pending.length === 0) return;
      const batch = pending.splice(0);
      let recorded: number;
      try {
        recorded = await deps.engine.queue.completeMany(batch, { signal: hard });
      } catch (error) {
        // Not recorded (or not all): give the claims back next round; the members are re-checked.
        for (const { item } of batch) deps.returns.strand(item);
        throw error;
      }
      summary.processed += recorded;
      summary.leaseLost += batch.length - recorded;
    },
  };
}

/** Counts one member's outcome and logs the states it enters (once, not at each re-check). */
async function tally(
  engine: Engine,
  ctx: BatchContext,
  done: { item: SyncItem; accounts: MemberAccounts; outcome: SyncOutcome; problems: ItemProblems },
): Promise<void> {
  const { item, accounts, outcome, problems } = done;
  const { summary } = ctx;
  summary.added += problems.added;
  summary.removed += problems.removed;
  summary.kicked += problems.kicked;
  if (outcome.state === "grace") summary.inGrace += 1;
  if (outcome.state === "not_in_guild") summary.notInGuild += 1;
  if (outcome.state === "retrying") summary.transientErrors += 1;
  if (outcome.state === "permanent_error") summary.permanentErrors += 1;
  const guildId = ctx.settings.guildId;
  if (outcome.state === "permanent_error" && item.state !== "permanent_error")
    await logMemberFailure(engine, item, accounts.current, problems, guildId, ctx.hard);
  if (outcome.state === "not_in_guild" && item.state !== "not_in_guild")
    await logNotInGuild(engine, item, accounts.current, guildId, ctx.hard);
}

/** What the batch loop does after one member: go on, or stop (the rest already released). */
type Step = "next" | "stop";

/** Processes one member under its lease signal; releases what must be released on failure. */
async function runItem(
  deps: BatchDeps,
  ctx: BatchContext,
  input: {
    items: SyncItem[];
    index: number;
    accounts: MemberAccounts;
    linkedByAccount: Map<string, LinkedMember[]>;
  },
  run: BatchRun,
): Promise<{ step: Step; done?: { outcome: SyncOutcome; problems: ItemProblems } }> {
  const { engine, returns } = deps;
  const { items, index } = input;
  const item = items[index]!;
  const hard = run.signal;
  const lease = leaseSignal({
    item,
    clock: engine.clock,
    scheduler: engine.scheduler,
    safetyMs: engine.options.leaseSafetyMs,
    parent: hard,
  });
  try {
    const done = await processItem(
      engine,
      ctx,
      { item, accounts: input.accounts, linkedByAccount: input.linkedByAccount },
      liveReadEffects(engine, ctx.hard),
      lease.signal,
    );
    lease.dispose();
    return { step: "next", done };
  } catch (error) {
    lease.dispose();
    if (error instanceof GuildBlockedSignal) {
      ctx.summary.blockedUntil = error.until;
      await returns.release(items.slice(index), ctx.summary, run.onMember);
      return { step: "stop" };
    }
    if (isAbortError(error) || lease.signal.aborted) {
      await returns.release([item], ctx.summary, run.onMember);
      if (!hard?.aborted) return { step: "next" };
      await returns.release(items.slice(index + 1), ctx.summary, run.onMember);
      return { step: "stop" };
    }
    await returns.release(items.slice(index), ctx.summary, run.onMember);
    throw error;
  }
}

/** Reconciles a claimed batch in order; resolves when done, stopped or blocked. */
export async function processBatch(
  deps: BatchDeps,
  ctx: BatchContext,
  items: SyncItem[],
  run: BatchRun,
): Promise<void> {
  const { engine, returns } = deps;
  const { summary } = ctx;
  const hard = run.signal;
  const columns = ruleColumns(ctx.settings.rules);
  const { accountsOf, linkedByAccount } = await loadBatch(deps, items, columns, run, summary);
  const buffer = createOutcomeBuffer(deps, summary, hard);
  try {
    for (let index = 0; index < items.length; index += 1) {
      const item = items[index]!;
      if (run.stop?.aborted || hard?.aborted) {
        await returns.release(items.slice(index), summary, run.onMember);
        return;
      }
      const started = engine.clock.now();
      const oldest = buffer.oldest();
      if (oldest && !canStart(oldest, started, engine.options.leaseGuardMs)) await buffer.flush();
      if (!canStart(item, started, engine.options.leaseGuardMs)) {
        await returns.release([item], summary, run.onMember);
        continue;
      }
      const accounts = accountsOf.get(item.memberId)!;
      const result = await runItem(deps, ctx, { items, index, accounts, linkedByAccount }, run);
      if (result.step === "stop") return;
      if (!result.done) continue;
      const { outcome, problems } = result.done;
      buffer.push(item, outcome);
      await tally(engine, ctx, { item, accounts, outcome, problems });
      deps.pace.record(Math.max(0, engine.clock.now().getTime() - started.getTime()));
      run.onMember?.({
        memberId: item.memberId,
        state: outcome.state,
        added: problems.added,
        removed: problems.removed,
        error: outcome.lastError,
      });
    }
  } finally {
    await buffer.flush();
  }
}
