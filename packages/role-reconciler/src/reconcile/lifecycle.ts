import { classifyDiscordError } from "../errors";
import type { AccountPlan } from "../plan";
import type { SyncItem } from "../ports";
import type { BatchContext, Engine } from "./engine";
import { logApiError } from "./incidents";
import type { ItemProblems } from "./outcome";

/**
 * The lifecycle steps of an account plan besides role calls: grace periods started (the lapse
 * recorded in the ledger) and cancelled, roles left alone, each logged once — at the transition,
 * not at every re-check — and the earliest grace end noted so the member is due again then.
 */
export async function applyLifecycle(
  engine: Engine,
  ctx: BatchContext,
  target: { item: SyncItem; plan: AccountPlan },
  problems: ItemProblems,
): Promise<void> {
  const { item, plan } = target;
  const now = engine.clock.now();
  const { guildId } = ctx.settings;
  if (plan.lapseStart.length > 0) {
    await engine.ledger.markLapsed({ grants: plan.lapseStart, lapsedAt: now }, { signal: ctx.hard });
  }
  if (plan.lapseEnd.length > 0) {
    await engine.ledger.markLapsed({ grants: plan.lapseEnd, lapsedAt: null }, { signal: ctx.hard });
  }
  for (const grace of plan.graced) {
    if (problems.graceUntil === null || grace.until < problems.graceUntil) problems.graceUntil = grace.until;
    if (!plan.lapseStart.some((g) => g.roleId === grace.roleId)) continue;
    await engine.log(
      {
        kind: "role.grace_started",
        level: "info",
        message: `Discord user ${plan.discordUserId} keeps role ${grace.roleId} until ${grace.until.toISOString()} (grace period): ${grace.reason}`,
        memberId: item.memberId,
        discordUserId: plan.discordUserId,
        data: {
          guildId,
          roleId: grace.roleId,
          since: grace.since.toISOString(),
          until: grace.until.toISOString(),
        },
      },
      ctx.hard,
    );
  }
  for (const g of plan.lapseEnd) {
    await engine.log(
      {
        kind: "role.grace_cancelled",
        level: "info",
        message: `member ${item.memberId} is entitled again: Discord user ${plan.discordUserId} keeps role ${g.roleId} (grace period cancelled)`,
        memberId: item.memberId,
        discordUserId: plan.discordUserId,
        data: { guildId, roleId: g.roleId },
      },
      ctx.hard,
    );
  }
  for (const left of plan.leftAlone) {
    // Logged when guildkit stops tracking the role (its adopted row is forgotten), once.
    if (!plan.forgetAfter.some((g) => g.roleId === left.roleId)) continue;
    await engine.log(
      {
        kind: "role.left_alone",
        level: "info",
        message: `left role ${left.roleId} on Discord user ${plan.discordUserId}: ${left.reason}`,
        memberId: item.memberId,
        discordUserId: plan.discordUserId,
        data: { guildId, roleId: left.roleId, relation: plan.relation },
      },
      ctx.hard,
    );
  }
}

/** How a kick went: done, failed (recorded in `problems`), or the member had left already. */
export type KickResult = "done" | "failed" | "gone";

/** Kicks the member (on lapse: kick), with the plan's audit-log reason; logs `role.member_kicked`. */
export async function applyKick(
  engine: Engine,
  ctx: BatchContext,
  target: { item: SyncItem; plan: AccountPlan },
  problems: ItemProblems,
  signal: AbortSignal,
): Promise<KickResult> {
  const { item, plan } = target;
  const kick = plan.kick;
  if (!kick) return "done";
  const { guildId } = ctx.settings;
  const request = { guildId, userId: kick.discordUserId, reason: kick.reason };
  try {
    ctx.summary.discordCalls += 1;
    await ctx.gateway.removeMember(request, { signal });
  } catch (error) {
    const verdict = classifyDiscordError(error, {
      operation: "remove_member",
      guildId,
      userId: kick.discordUserId,
    });
    if (verdict.kind === "aborted") throw error;
    const at = {
      operation: "remove_member" as const,
      guildId,
      memberId: item.memberId,
      discordUserId: kick.discordUserId,
    };
    await logApiError(engine, error, verdict, at, ctx.hard);
    if (verdict.kind === "not_in_guild") return "gone";
    if (verdict.kind === "transient") {
      problems.transient.push({ reason: verdict.reason, retryAfterMs: verdict.retryAfterMs });
    } else {
      problems.permanent.push({ reason: verdict.reason, blocked: false });
    }
    return "failed";
  }
  problems.kicked += 1;
  ctx.snapshot?.members.delete(kick.discordUserId);
  await engine.log(
    {
      kind: "role.member_kicked",
      level: "info",
      message: `kicked Discord user ${kick.discordUserId} from guild ${guildId}: ${kick.reason}`,
      memberId: item.memberId,
      discordUserId: kick.discordUserId,
      data: { guildId, roleIds: kick.roleIds, reason: kick.reason, memberIds: kick.memberIds },
    },
    ctx.hard,
  );
  return "done";
}
