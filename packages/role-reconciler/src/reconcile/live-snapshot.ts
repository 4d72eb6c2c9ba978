import type { GuildSnapshot } from "../bulk";
import { classifyDiscordError } from "../errors";
import type { BatchContext, Engine } from "./engine";
import { applyBlock, guildBlocked, logApiError, recovered } from "./incidents";
import type { SnapshotCache } from "./snapshot-cache";

/**
 * The guild listing of a live bulk round: the cached one while young enough, else a new listing
 * (which clears the bulk and guild blocks it proves wrong, and is cached). `null` when bulk is not
 * possible right now: the listing was abandoned, or failed — a failure is logged and blocks bulk
 * listing until its probe (members are read one by one meanwhile), or throws
 * `GuildBlockedSignal` when it blocks the whole guild. `signal` aborts the listing (a soft stop
 * must not wait for a long listing: nothing is claimed yet).
 */
export async function takeSnapshot(
  engine: Engine,
  cache: SnapshotCache,
  ctx: Omit<BatchContext, "snapshot">,
  maxPages: number,
  signal: AbortSignal | undefined,
): Promise<GuildSnapshot | null> {
  const { guildId } = ctx.settings;
  const cached = cache.fresh(guildId, engine.clock.now());
  if (cached) return cached;
  try {
    const snapshot = await cache.list(
      { gateway: ctx.gateway, guildId, maxPages, summary: ctx.summary },
      signal,
    );
    if (!snapshot) return null;
    await recovered(engine, { kind: "bulk" }, guildId, ctx.hard);
    await recovered(engine, { kind: "guild" }, guildId, ctx.hard);
    cache.keep(snapshot);
    return snapshot;
  } catch (error) {
    ctx.summary.discordCalls += 1;
    const verdict = classifyDiscordError(error, { operation: "list_members", guildId });
    if (verdict.kind === "aborted") throw error;
    await logApiError(engine, error, verdict, { operation: "list_members", guildId }, ctx.hard);
    if (verdict.kind === "permanent" && verdict.scope === "guild") {
      await applyBlock(engine, { kind: "guild" }, verdict.reason, guildId, ctx.hard);
      throw guildBlocked(engine);
    }
    // Intent missing, or listing failing: check members one by one until the probe.
    await applyBlock(engine, { kind: "bulk" }, verdict.reason, guildId, ctx.hard);
    return null;
  }
}
