import type { Clock, ProxiedMember, ProxyMemberStore, StaleProxyMember } from "./ports";

const DAY = 86_400_000;

/**
 * PluralKit members not seen in a guild for `maxIdleDays` (over every Discord user who proxied
 * them), oldest first: the "unused or removed system members" to take off the member list.
 * Listing removes nothing; call `store.forgetMembers` once the relay has removed them, or use
 * {@link sweepStaleMembers}.
 */
export async function listStaleMembers(opts: {
  store: ProxyMemberStore;
  clock: Clock;
  /** Days without a sighting (default 30). */
  maxIdleDays?: number;
  limit?: number;
  signal?: AbortSignal;
}): Promise<StaleProxyMember[]> {
  const days = opts.maxIdleDays ?? 30;
  if (!(days > 0)) throw new RangeError(`maxIdleDays must be positive, got ${days}`);
  const seenBefore = new Date(opts.clock.now().getTime() - days * DAY);
  return opts.store.listStaleMembers({
    seenBefore,
    limit: opts.limit ?? 500,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/**
 * Lists stale members, hands each to `remove` (e.g. make the puppet leave), then forgets those
 * removed. A member whose `remove` throws is kept and listed again next time.
 */
export async function sweepStaleMembers(opts: {
  store: ProxyMemberStore;
  clock: Clock;
  maxIdleDays?: number;
  limit?: number;
  remove: (member: StaleProxyMember) => Promise<void>;
  signal?: AbortSignal;
}): Promise<{ removed: StaleProxyMember[]; failed: StaleProxyMember[] }> {
  const stale = await listStaleMembers(opts);
  const removed: StaleProxyMember[] = [];
  const failed: StaleProxyMember[] = [];
  for (const member of stale) {
    try {
      await opts.remove(member);
      removed.push(member);
    } catch {
      failed.push(member);
    }
  }
  const byGuild = new Map<string, string[]>();
  for (const m of removed) byGuild.set(m.guildId, [...(byGuild.get(m.guildId) ?? []), m.key]);
  for (const [guildId, memberKeys] of byGuild) {
    await opts.store.forgetMembers({ guildId, memberKeys, ...(opts.signal ? { signal: opts.signal } : {}) });
  }
  return { removed, failed };
}

/**
 * When a Discord user leaves a guild: the PluralKit members they proxied there that nobody else
 * in the guild proxied — their members leave the member list too. Listing removes nothing; see
 * {@link handleMemberLeave}.
 */
export async function listMembersForLeave(opts: {
  store: ProxyMemberStore;
  guildId: string;
  userId: string;
  signal?: AbortSignal;
}): Promise<ProxiedMember[]> {
  const proxied = await opts.store.listMembersProxiedBy({
    guildId: opts.guildId,
    userId: opts.userId,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return proxied.filter((m) => m.otherSenders === 0);
}

/**
 * Handles a Discord user leaving a guild: lists the members to remove, hands each to `remove`,
 * then forgets the user's sightings in the guild (and the removed members). If a `remove` throws,
 * nothing is forgotten, so calling again retries; `remove` should be idempotent.
 */
export async function handleMemberLeave(opts: {
  store: ProxyMemberStore;
  guildId: string;
  userId: string;
  remove: (member: ProxiedMember) => Promise<void>;
  signal?: AbortSignal;
}): Promise<ProxiedMember[]> {
  const toRemove = await listMembersForLeave(opts);
  for (const member of toRemove) await opts.remove(member);
  const io = opts.signal ? { signal: opts.signal } : {};
  if (toRemove.length > 0) {
    await opts.store.forgetMembers({ guildId: opts.guildId, memberKeys: toRemove.map((m) => m.key), ...io });
  }
  await opts.store.forgetSender({ guildId: opts.guildId, userId: opts.userId, ...io });
  return toRemove;
}
