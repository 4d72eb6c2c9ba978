import type { BlockScope } from "../blocks";
import { type DiscordOperation, type ErrorVerdict, readErrorFields } from "../errors";
import type { SyncItem } from "../ports";
import type { Engine } from "./engine";
import type { ItemProblems } from "./outcome";

/** Thrown inside a round when the whole guild is blocked: the round releases what it holds and ends. */
export class GuildBlockedSignal extends Error {
  override readonly name = "GuildBlockedSignal";
  constructor(readonly until: Date) {
    super("guild blocked");
  }
}

/** Until when the guild is blocked at `now`, or `null`. */
export function guildBlockedUntil(engine: Engine, now: Date): Date | null {
  return engine.blocks.active({ kind: "guild" }, now)?.until ?? null;
}

/** A {@link GuildBlockedSignal} for the guild block just recorded. */
export function guildBlocked(engine: Engine): GuildBlockedSignal {
  const now = engine.clock.now();
  return new GuildBlockedSignal(guildBlockedUntil(engine, now) ?? now);
}

/** Where a failed Discord call happened, for its event-log line. */
export interface CallContext {
  operation: DiscordOperation;
  guildId: string;
  memberId?: string | null;
  discordUserId?: string | null;
  roleId?: string | null;
}

/** Logs a failed Discord call (`discord.api_error`) with the error's structural fields. */
export async function logApiError(
  engine: Engine,
  error: unknown,
  verdict: ErrorVerdict,
  ctx: CallContext,
  signal?: AbortSignal,
): Promise<void> {
  const fields = readErrorFields(error);
  await engine.log(
    {
      kind: "discord.api_error",
      level: verdict.kind === "permanent" ? "error" : verdict.kind === "not_in_guild" ? "info" : "warn",
      message: `${ctx.operation} failed: ${verdict.reason}`,
      memberId: ctx.memberId ?? null,
      discordUserId: ctx.discordUserId ?? null,
      data: {
        operation: ctx.operation,
        guildId: ctx.guildId,
        roleId: ctx.roleId ?? null,
        route: fields.route,
        status: fields.status,
        code: fields.code,
        retryAfterMs: fields.retryAfterMs,
        verdict: verdict.kind,
        ...(verdict.kind === "permanent" ? { scope: verdict.scope } : {}),
      },
    },
    signal,
  );
}

/** Records a permanent failure's block; logs it once when it starts. */
export async function applyBlock(
  engine: Engine,
  scope: BlockScope,
  reason: string,
  guildId: string,
  signal?: AbortSignal,
): Promise<void> {
  const fresh = engine.blocks.block(scope, reason, engine.clock.now());
  if (!fresh) return;
  await engine.log(
    {
      kind: scope.kind === "bulk" ? "role.bulk_unavailable" : "role.permanent_error",
      level: scope.kind === "bulk" ? "warn" : "error",
      message: reason,
      data: {
        guildId,
        scope: scope.kind,
        roleId: scope.kind === "role" ? scope.roleId : null,
        probeInMs: engine.options.probeMs,
      },
    },
    signal,
  );
}

/** A call for `scope` succeeded: if it was blocked, clear it and re-try the members it failed. */
export async function recovered(
  engine: Engine,
  scope: BlockScope,
  guildId: string,
  signal?: AbortSignal,
): Promise<void> {
  if (!engine.blocks.clear(scope)) return;
  const marked = await engine.queue.markDue(
    { now: engine.clock.now(), states: ["permanent_error"] },
    { signal },
  );
  await engine.log(
    {
      kind: "role.recovered",
      level: "info",
      message: `${scope.kind === "role" ? `role ${scope.roleId}` : scope.kind} works again; ${marked} member(s) re-marked`,
      data: { guildId, scope: scope.kind, roleId: scope.kind === "role" ? scope.roleId : null, marked },
    },
    signal,
  );
}

/**
 * A member entered `permanent_error` for a reason of its own (no role block covers it): logged
 * once, at error level, when it enters the state — not at each re-check.
 */
export async function logMemberFailure(
  engine: Engine,
  item: SyncItem,
  discordUserId: string | null,
  problems: ItemProblems,
  guildId: string,
  signal?: AbortSignal,
): Promise<void> {
  const reasons = [...new Set(problems.permanent.filter((p) => !p.blocked).map((p) => p.reason))];
  if (reasons.length === 0) return;
  await engine.log(
    {
      kind: "role.permanent_error",
      level: "error",
      message: `member ${item.memberId}: ${reasons.join("; ")}`,
      memberId: item.memberId,
      discordUserId,
      data: { guildId, scope: "member", roleId: null },
    },
    signal,
  );
}

/** A member entered `not_in_guild`: logged once, when it enters the state. */
export async function logNotInGuild(
  engine: Engine,
  item: SyncItem,
  discordUserId: string | null,
  guildId: string,
  signal?: AbortSignal,
): Promise<void> {
  await engine.log(
    {
      kind: "role.not_in_guild",
      level: "info",
      message: `Discord user ${discordUserId} is not in guild ${guildId}; no role change attempted, re-checked on the normal interval`,
      memberId: item.memberId,
      discordUserId,
      data: { guildId },
    },
    signal,
  );
}
