import { type MemberAccounts, planAccount } from "../plan";
import type { LinkedMember, SyncEntry, SyncItem, SyncOutcome } from "../ports";
import { applyPlan } from "./apply-plan";
import type { BatchContext, Engine } from "./engine";
import { type ItemProblems, noProblems, outcomeOf } from "./outcome";
import { refreshProfile } from "./profile-refresh";
import { type ReadEffects, type ReadResult, readMember } from "./read-member";

/** The members linked to `discordUserId`, with `item` (the member being checked) in its current state. */
export function linkedFor(
  linkedByAccount: Map<string, LinkedMember[]>,
  discordUserId: string,
  item: SyncEntry | null,
): LinkedMember[] {
  const others = (linkedByAccount.get(discordUserId) ?? []).filter((m) => m.memberId !== item?.memberId);
  return item ? [...others, { memberId: item.memberId, discordUserId, attributes: item.attributes }] : others;
}

function recordReadFailure(problems: ItemProblems, read: Extract<ReadResult, { ok: false }>): void {
  if (read.transient) problems.transient.push({ reason: read.reason, retryAfterMs: read.retryAfterMs });
  else problems.permanent.push({ reason: read.reason, blocked: false });
}

/** What one member is reconciled with. */
export interface ItemInput {
  item: SyncItem;
  accounts: MemberAccounts;
  linkedByAccount: Map<string, LinkedMember[]>;
}

/**
 * Reconciles one claimed member: its current account (roles, then profile) and every account it
 * was linked to before (revocations). Resolves its outcome; throws on abort or guild block.
 */
export async function processItem(
  engine: Engine,
  ctx: BatchContext,
  input: ItemInput,
  effects: ReadEffects,
  signal: AbortSignal,
): Promise<{ outcome: SyncOutcome; problems: ItemProblems }> {
  const { item, accounts, linkedByAccount } = input;
  const { settings } = ctx;
  const problems = noProblems();

  if (accounts.current !== null) {
    const account = accounts.current;
    const read = await readMember(engine, ctx, effects, { entry: item, discordUserId: account }, signal);
    if (!read.ok) recordReadFailure(problems, read);
    else {
      const plan = planAccount({
        rules: settings.rules,
        managed: ctx.managed,
        memberId: item.memberId,
        discordUserId: account,
        relation: "current",
        linked: linkedFor(linkedByAccount, account, item),
        ownGrants: accounts.currentGrants,
        ownDetails: accounts.details.get(account),
        held: read.view?.roles ?? null,
        now: engine.clock.now(),
        lifecycle: settings.lifecycle,
      });
      if (read.view === null) problems.notInGuild = true;
      await applyPlan(engine, ctx, { item, plan, ownGrants: accounts.currentGrants }, problems, signal);
      if (read.view !== null && !problems.notInGuild)
        await refreshProfile(engine, ctx, { item, view: read.view }, signal);
    }
  }

  for (const [account, ownGrants] of accounts.previous) {
    const read = await readMember(engine, ctx, effects, { entry: item, discordUserId: account }, signal);
    if (!read.ok) {
      recordReadFailure(problems, read);
      continue;
    }
    const plan = planAccount({
      rules: settings.rules,
      managed: ctx.managed,
      memberId: item.memberId,
      discordUserId: account,
      relation: "previous",
      cause: accounts.cause,
      linked: linkedFor(linkedByAccount, account, null),
      ownGrants,
      ownDetails: accounts.details.get(account),
      held: read.view?.roles ?? null,
      now: engine.clock.now(),
      lifecycle: settings.lifecycle,
    });
    await applyPlan(engine, ctx, { item, plan, ownGrants }, problems, signal);
  }

  const outcome = outcomeOf(
    { item, accounts, problems, settings, checkedAt: engine.clock.now() },
    { backoff: engine.options.backoff, random: engine.random },
  );
  return { outcome, problems };
}
