import type { Block } from "../blocks";
import { type MemberView, toMemberView } from "../bulk";
import { classifyDiscordError, type ErrorVerdict } from "../errors";
import type { SyncEntry } from "../ports";
import type { BatchContext, Engine } from "./engine";
import { applyBlock, GuildBlockedSignal, guildBlocked, logApiError, recovered } from "./incidents";

/** A member's guild state, or why it could not be read. */
export type ReadResult =
  | { ok: true; view: MemberView | null }
  | { ok: false; reason: string; transient: boolean; retryAfterMs: number | null };

/**
 * What a read does besides reading: a live round logs failures, blocks the guild on a permanent
 * one and clears blocks on success; a dry run only reports.
 */
export interface ReadEffects {
  /** The guild is blocked: stop the round (throws), or report the read as failed. */
  guildBlocked(block: Block): ReadResult;
  /** A read succeeded. */
  succeeded(guildId: string): Promise<void>;
  /** A read failed (neither aborted nor "not in the guild"); may throw to stop the round. */
  failed(
    error: unknown,
    verdict: ErrorVerdict,
    at: { guildId: string; memberId: string; discordUserId: string },
  ): Promise<void>;
}

/** The effects of a read in a live round. */
export function liveReadEffects(engine: Engine, hard: AbortSignal | undefined): ReadEffects {
  return {
    guildBlocked(block) {
      throw new GuildBlockedSignal(block.until);
    },
    succeeded: (guildId) => recovered(engine, { kind: "guild" }, guildId, hard),
    async failed(error, verdict, at) {
      await logApiError(engine, error, verdict, { operation: "get_member", ...at }, hard);
      if (verdict.kind === "permanent" && verdict.scope === "guild") {
        await applyBlock(engine, { kind: "guild" }, verdict.reason, at.guildId, hard);
        throw guildBlocked(engine);
      }
    },
  };
}

/** The effects of a read in a dry run: none. */
export const DRY_RUN_READ_EFFECTS: ReadEffects = Object.freeze({
  guildBlocked: (block: Block): ReadResult => ({
    ok: false,
    reason: block.reason,
    transient: false,
    retryAfterMs: null,
  }),
  succeeded: async () => {},
  failed: async () => {},
});

/**
 * The account's guild state: from the snapshot when it is fresh enough for this member (it did not
 * change after the listing began), else read one by one — keeping the snapshot up to date.
 */
export async function readMember(
  engine: Engine,
  ctx: BatchContext,
  effects: ReadEffects,
  target: { entry: SyncEntry; discordUserId: string },
  signal: AbortSignal | undefined,
): Promise<ReadResult> {
  const { entry, discordUserId } = target;
  const snap = ctx.snapshot;
  if (snap && !(entry.dirty && entry.dueAt.getTime() > snap.takenAt.getTime())) {
    return { ok: true, view: snap.members.get(discordUserId) ?? null };
  }
  const guildId = ctx.settings.guildId;
  const blocked = engine.blocks.active({ kind: "guild" }, engine.clock.now());
  if (blocked) return effects.guildBlocked(blocked);
  try {
    ctx.summary.discordCalls += 1;
    const raw = await ctx.gateway.getMember({ guildId, userId: discordUserId }, { signal });
    const view = raw ? toMemberView(raw) : null;
    await effects.succeeded(guildId);
    if (snap) {
      if (view) snap.members.set(discordUserId, view);
      else snap.members.delete(discordUserId);
    }
    return { ok: true, view };
  } catch (error) {
    const verdict = classifyDiscordError(error, { operation: "get_member", guildId, userId: discordUserId });
    if (verdict.kind === "aborted") throw error;
    if (verdict.kind === "not_in_guild") {
      snap?.members.delete(discordUserId);
      return { ok: true, view: null };
    }
    await effects.failed(error, verdict, { guildId, memberId: entry.memberId, discordUserId });
    return {
      ok: false,
      reason: verdict.reason,
      transient: verdict.kind === "transient",
      retryAfterMs: verdict.kind === "transient" ? verdict.retryAfterMs : null,
    };
  }
}
