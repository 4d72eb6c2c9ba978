import type { FlowContext } from "./context";
import type { CreateMemberResult, DiscordProfile, IoOptions, LinkDiscordResult } from "./ports";

/**
 * Link `memberId` to the Discord account in `profile` and mark it due for sync, in one transaction of
 * {@link FlowContext.transactions}: a refused link writes nothing, not even the due mark.
 */
export function linkInTransaction(
  ctx: FlowContext,
  input: { memberId: string; profile: DiscordProfile },
  opts: IoOptions,
): Promise<LinkDiscordResult> {
  const now = ctx.clock.now();
  return ctx.transactions.run(async (tx) => {
    const linked = await tx.accounts.linkDiscord(
      { memberId: input.memberId, profile: input.profile, now },
      opts,
    );
    if (linked.linked) await tx.syncDue.markDue({ memberIds: [input.memberId], now }, opts);
    return linked;
  }, opts);
}

/** Create a member linked to `profile` and mark it due for sync, in one transaction. */
export function createInTransaction(
  ctx: FlowContext,
  input: { profile: DiscordProfile & { email: string } },
  opts: IoOptions,
): Promise<CreateMemberResult> {
  const now = ctx.clock.now();
  return ctx.transactions.run(async (tx) => {
    const created = await tx.accounts.create({ profile: input.profile, now }, opts);
    if (created.created) await tx.syncDue.markDue({ memberIds: [created.memberId], now }, opts);
    return created;
  }, opts);
}
