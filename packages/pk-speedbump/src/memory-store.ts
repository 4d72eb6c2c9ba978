import type {
  ChannelState,
  PendingHold,
  ProxiedMember,
  ProxyMemberRecord,
  ProxyMemberStore,
  SpeedbumpStore,
  StaleProxyMember,
  UnresolvedProxyMessage,
} from "./ports";

/** A member sighting in {@link MemorySpeedbumpStore.tables}. */
export interface MemoryProxySighting {
  guildId: string;
  memberKey: string;
  senderUserId: string;
  at: Date;
}

/** Both store ports in process memory: for tests, benchmarks and single-process relays without a database. */
export interface MemorySpeedbumpStore extends SpeedbumpStore, ProxyMemberStore {
  /** The records themselves, read-only (a conformance kit's backdoor, a test's look inside). */
  readonly tables: {
    readonly channels: ReadonlyMap<string, ChannelState>;
    /** User id → last seen proxying. */
    readonly proxyUsers: ReadonlyMap<string, Date>;
    readonly holds: ReadonlyMap<string, PendingHold>;
    readonly unresolved: ReadonlyMap<string, UnresolvedProxyMessage>;
    /** Member key → identity. */
    readonly members: ReadonlyMap<string, ProxyMemberRecord>;
    readonly sightings: Iterable<MemoryProxySighting>;
  };
}

/**
 * Creates an in-memory {@link SpeedbumpStore} and {@link ProxyMemberStore}. Nothing survives the
 * process: use `@guildkit/store-sqlite` or `@guildkit/store-postgres` when holds must survive a
 * restart.
 */
export function createMemorySpeedbumpStore(): MemorySpeedbumpStore {
  const channels = new Map<string, ChannelState>();
  const users = new Map<string, Date>();
  const holds = new Map<string, PendingHold>();
  const unresolved = new Map<string, UnresolvedProxyMessage>();
  const identities = new Map<string, ProxyMemberRecord>();
  /** key: guild \u0000 member \u0000 sender */
  const seen = new Map<string, MemoryProxySighting>();
  const seenKey = (g: string, m: string, s: string) => `${g}\u0000${m}\u0000${s}`;

  const dropOrphans = () => {
    const used = new Set([...seen.values()].map((r) => r.memberKey));
    for (const key of identities.keys()) if (!used.has(key)) identities.delete(key);
  };

  return {
    tables: {
      channels,
      proxyUsers: users,
      holds,
      unresolved,
      members: identities,
      sightings: { [Symbol.iterator]: () => seen.values() },
    },
    async getChannel({ channelId }) {
      const state = channels.get(channelId);
      return state ? { ...state } : null;
    },
    async listActiveChannels() {
      return [...channels.values()].filter((c) => c.webhookId !== null).map((c) => ({ ...c }));
    },
    async saveChannel(state) {
      channels.set(state.channelId, { ...state });
    },
    async isProxyUser({ userId }) {
      return users.has(userId);
    },
    async saveProxyUser({ userId, seenAt }) {
      users.set(userId, seenAt);
    },
    async saveHold(hold) {
      holds.set(hold.messageId, { ...hold });
    },
    async deleteHold({ messageId }) {
      holds.delete(messageId);
    },
    async listHolds() {
      // Read on start only: copied whole, as a database would hand back new objects.
      return [...holds.values()]
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
        .map((h) => structuredClone(h));
    },
    async saveUnresolved(item) {
      unresolved.set(item.messageId, { ...item });
    },
    async listUnresolved({ dueBefore, limit }) {
      return [...unresolved.values()]
        .filter((u) => u.nextAttemptAt.getTime() <= dueBefore.getTime())
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
        .slice(0, limit)
        .map((u) => ({ ...u }));
    },
    async nextUnresolvedAt() {
      let earliest: Date | null = null;
      for (const u of unresolved.values())
        if (!earliest || u.nextAttemptAt < earliest) earliest = u.nextAttemptAt;
      return earliest;
    },
    async deleteUnresolved({ messageId }) {
      unresolved.delete(messageId);
    },
    async recordMemberSeen({ member, guildId, senderUserId, seenAt }) {
      identities.set(member.key, { ...member });
      seen.set(seenKey(guildId, member.key, senderUserId), {
        guildId,
        memberKey: member.key,
        senderUserId,
        at: seenAt,
      });
    },
    async listStaleMembers({ seenBefore, limit }) {
      const latest = new Map<string, { guildId: string; memberKey: string; at: Date }>();
      for (const row of seen.values()) {
        const key = `${row.guildId}\u0000${row.memberKey}`;
        const current = latest.get(key);
        if (!current || current.at < row.at) latest.set(key, row);
      }
      const out: StaleProxyMember[] = [];
      for (const row of latest.values()) {
        const identity = identities.get(row.memberKey);
        if (identity && row.at.getTime() < seenBefore.getTime()) {
          out.push({ ...identity, guildId: row.guildId, lastSeenAt: row.at });
        }
      }
      return out.sort((a, b) => a.lastSeenAt.getTime() - b.lastSeenAt.getTime()).slice(0, limit);
    },
    async listMembersProxiedBy({ guildId, userId }) {
      const out: ProxiedMember[] = [];
      for (const row of seen.values()) {
        if (row.guildId !== guildId || row.senderUserId !== userId) continue;
        const identity = identities.get(row.memberKey);
        if (!identity) continue;
        let otherSenders = 0;
        for (const other of seen.values()) {
          if (
            other.guildId === guildId &&
            other.memberKey === row.memberKey &&
            other.senderUserId !== userId
          ) {
            otherSenders++;
          }
        }
        out.push({ ...identity, guildId, lastSeenAt: row.at, otherSenders });
      }
      return out.sort((a, b) => a.key.localeCompare(b.key));
    },
    async forgetSender({ guildId, userId }) {
      for (const [key, row] of seen)
        if (row.guildId === guildId && row.senderUserId === userId) seen.delete(key);
      dropOrphans();
    },
    async forgetMembers({ guildId, memberKeys }) {
      const keys = new Set(memberKeys);
      for (const [key, row] of seen) if (row.guildId === guildId && keys.has(row.memberKey)) seen.delete(key);
      dropOrphans();
    },
  };
}
