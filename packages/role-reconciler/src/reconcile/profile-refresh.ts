import type { MemberView } from "../bulk";
import { classifyDiscordError, isAbortError } from "../errors";
import type { SyncItem } from "../ports";
import { planProfile } from "../profile";
import type { BatchContext, Engine } from "./engine";
import { logApiError } from "./incidents";

/**
 * Refreshes the stored display name and avatar of a member in the guild; the avatar is downloaded
 * only when its hash changed. A failed download never blocks anything: the old avatar is kept and
 * the next check tries again.
 */
export async function refreshProfile(
  engine: Engine,
  ctx: BatchContext,
  target: { item: SyncItem; view: MemberView },
  signal: AbortSignal,
): Promise<void> {
  const { item, view } = target;
  const { guildId } = ctx.settings;
  const save = engine.profiles.save.bind(engine.profiles);
  const profile = planProfile(item.profile, view, guildId);
  const nameOnly = { memberId: item.memberId, displayName: profile.displayName };
  if (!profile.avatarChanged) {
    if (profile.nameChanged) await save(nameOnly, { signal: ctx.hard });
    return;
  }
  if (profile.avatar === null) {
    await save({ ...nameOnly, avatar: { hash: null, bytes: null } }, { signal: ctx.hard });
    return;
  }
  try {
    ctx.summary.discordCalls += 1;
    const bytes = await ctx.gateway.fetchAvatar(profile.avatar, { signal });
    await save({ ...nameOnly, avatar: { hash: profile.avatar.hash, bytes } }, { signal: ctx.hard });
  } catch (error) {
    if (isAbortError(error) && signal.aborted) throw error;
    const verdict = classifyDiscordError(error, { operation: "fetch_avatar", guildId, userId: view.userId });
    await logApiError(
      engine,
      error,
      verdict,
      { operation: "fetch_avatar", guildId, memberId: item.memberId, discordUserId: view.userId },
      ctx.hard,
    );
    // Keep the old avatar and hash: the next check tries the download again.
    if (profile.nameChanged) await save(nameOnly, { signal: ctx.hard });
  }
}
