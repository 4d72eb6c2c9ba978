import type { GuildSnapshot } from "../bulk";
import { classifyDiscordError, type DiscordOperation } from "../errors";
import type { AccountPlan, PlannedRoleChange } from "../plan";
import type { SyncItem } from "../ports";
import type { BatchContext, Engine } from "./engine";
import {
  applyBlock,
  GuildBlockedSignal,
  guildBlocked,
  guildBlockedUntil,
  logApiError,
  recovered,
} from "./incidents";
import { applyKick, applyLifecycle } from "./lifecycle";
import type { ItemProblems } from "./outcome";

/** How one role change went. */
type ChangeResult = "done" | "failed" | "gone";

/**
 * Makes the calls of one account plan: records grants before adding, records the lifecycle
 * (grace periods started or cancelled, roles left alone), skips roles a block covers, records each
 * failure in `problems`, kicks the member when the plan says so, and forgets the grants of roles
 * removed. When the account turned out to have left the guild, its grants on account of this
 * member are forgotten.
 * Throws {@link GuildBlockedSignal} when the guild is (or becomes) blocked.
 */
export async function applyPlan(
  engine: Engine,
  ctx: BatchContext,
  target: { item: SyncItem; plan: AccountPlan; ownGrants: ReadonlySet<string> },
  problems: ItemProblems,
  signal: AbortSignal,
): Promise<void> {
  const { item, plan, ownGrants } = target;
  if (plan.grantsBefore.length > 0)
    await engine.ledger.add({ grants: plan.grantsBefore }, { signal: ctx.hard });
  await applyLifecycle(engine, ctx, { item, plan }, problems);
  const failed = new Set<string>();
  for (const change of [...plan.add, ...plan.remove]) {
    const result = await applyChange(engine, ctx, { item, plan, change }, problems, signal);
    if (result === "done") continue;
    failed.add(change.roleId);
    if (result === "gone") {
      ctx.snapshot?.members.delete(plan.discordUserId);
      if (plan.relation === "current") problems.notInGuild = true;
      const forget = [...ownGrants].map((roleId) => ({
        memberId: item.memberId,
        discordUserId: plan.discordUserId,
        roleId,
      }));
      if (forget.length > 0) await engine.ledger.remove({ grants: forget }, { signal: ctx.hard });
      return;
    }
  }
  const kicked = await applyKick(engine, ctx, { item, plan }, problems, signal);
  if (kicked === "failed") for (const roleId of plan.kick?.roleIds ?? []) failed.add(roleId);
  if (kicked === "gone" || (kicked === "done" && plan.kick)) {
    // Out of the guild: it holds none of the member's roles any more.
    if (plan.relation === "current") problems.notInGuild = true;
    const forget = [...ownGrants].map((roleId) => ({
      memberId: item.memberId,
      discordUserId: plan.discordUserId,
      roleId,
    }));
    if (forget.length > 0) await engine.ledger.remove({ grants: forget }, { signal: ctx.hard });
    return;
  }
  const forget = plan.forgetAfter.filter((g) => !failed.has(g.roleId));
  if (forget.length > 0) await engine.ledger.remove({ grants: forget }, { signal: ctx.hard });
}

/** One role change: skipped when blocked, made, and its failure classified and recorded. */
async function applyChange(
  engine: Engine,
  ctx: BatchContext,
  target: { item: SyncItem; plan: AccountPlan; change: PlannedRoleChange },
  problems: ItemProblems,
  signal: AbortSignal,
): Promise<ChangeResult> {
  const { item, plan, change } = target;
  const { guildId } = ctx.settings;
  const now = engine.clock.now();
  const guildBlock = guildBlockedUntil(engine, now);
  if (guildBlock) throw new GuildBlockedSignal(guildBlock);
  const roleBlock = engine.blocks.active({ kind: "role", roleId: change.roleId }, now);
  if (roleBlock) {
    problems.permanent.push({ reason: roleBlock.reason, blocked: true });
    return "failed";
  }
  const operation: DiscordOperation = change.action === "add" ? "add_role" : "remove_role";
  const request = { guildId, userId: change.discordUserId, roleId: change.roleId, reason: change.reason };
  try {
    ctx.summary.discordCalls += 1;
    if (change.action === "add") await ctx.gateway.addRole(request, { signal });
    else await ctx.gateway.removeRole(request, { signal });
  } catch (error) {
    const verdict = classifyDiscordError(error, {
      operation,
      guildId,
      roleId: change.roleId,
      userId: change.discordUserId,
    });
    if (verdict.kind === "aborted") throw error;
    const at = { operation, guildId, memberId: item.memberId, discordUserId: change.discordUserId };
    await logApiError(engine, error, verdict, { ...at, roleId: change.roleId }, ctx.hard);
    if (verdict.kind === "not_in_guild") return "gone";
    if (verdict.kind === "transient") {
      problems.transient.push({ reason: verdict.reason, retryAfterMs: verdict.retryAfterMs });
      return "failed";
    }
    problems.permanent.push({ reason: verdict.reason, blocked: verdict.scope === "role" });
    if (verdict.scope === "role")
      await applyBlock(engine, { kind: "role", roleId: change.roleId }, verdict.reason, guildId, ctx.hard);
    if (verdict.scope === "guild") {
      await applyBlock(engine, { kind: "guild" }, verdict.reason, guildId, ctx.hard);
      throw guildBlocked(engine);
    }
    return "failed";
  }
  await recovered(engine, { kind: "role", roleId: change.roleId }, guildId, ctx.hard);
  await recovered(engine, { kind: "guild" }, guildId, ctx.hard);
  if (change.action === "add") problems.added += 1;
  else problems.removed += 1;
  updateSnapshot(ctx.snapshot, change);
  await logChange(engine, { item, plan, change, guildId }, ctx.hard);
  return "done";
}

/** Keeps the guild listing in step with a change just made. */
function updateSnapshot(snap: GuildSnapshot | null, change: PlannedRoleChange): void {
  const view = snap?.members.get(change.discordUserId);
  if (!snap || !view) return;
  const roles =
    change.action === "add"
      ? [...new Set([...view.roles, change.roleId])]
      : view.roles.filter((roleId) => roleId !== change.roleId);
  snap.members.set(change.discordUserId, { ...view, roles });
}

async function logChange(
  engine: Engine,
  at: { item: SyncItem; plan: AccountPlan; change: PlannedRoleChange; guildId: string },
  signal?: AbortSignal,
): Promise<void> {
  const { item, plan, change, guildId } = at;
  const verb = change.action === "add" ? "added" : "removed";
  await engine.log(
    {
      kind: `role.${verb}`,
      level: "info",
      message: `${verb} role ${change.roleId} ${change.action === "add" ? "to" : "from"} Discord user ${change.discordUserId}: ${change.reason}`,
      memberId: item.memberId,
      discordUserId: change.discordUserId,
      data: {
        guildId,
        roleId: change.roleId,
        reason: change.reason,
        relation: plan.relation,
        memberIds: change.memberIds,
      },
    },
    signal,
  );
}
