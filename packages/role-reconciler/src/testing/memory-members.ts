import type { Grant, GrantLedger, LinkedMembers, MemberProfiles } from "../ports";
import { enter, type MemoryState } from "./memory-state";

/** `member|account|role`, the ledger's key. */
export const grantKey = (g: Grant) => `${g.memberId}|${g.discordUserId}|${g.roleId}`;

/** The memory store's {@link GrantLedger}. */
export function createMemoryLedger(state: MemoryState): GrantLedger {
  return {
    list: async (opts, io) => {
      enter(state, "ledger.list", io?.signal);
      return [...state.grants.values()]
        .filter((g) => opts.memberIds.includes(g.memberId))
        .map((g) => ({ ...g, lapsedAt: g.lapsedAt ? new Date(g.lapsedAt) : null }));
    },
    add: async (opts, io) => {
      enter(state, "ledger.add", io?.signal);
      for (const g of opts.grants) {
        const existing = state.grants.get(grantKey(g));
        const origin = g.origin ?? "granted";
        state.grants.set(grantKey(g), {
          memberId: g.memberId,
          discordUserId: g.discordUserId,
          roleId: g.roleId,
          origin: existing && origin !== "granted" ? existing.origin : origin,
          lapsedAt: existing?.lapsedAt ?? null,
        });
      }
    },
    markLapsed: async (opts, io) => {
      enter(state, "ledger.markLapsed", io?.signal);
      for (const g of opts.grants) {
        const existing = state.grants.get(grantKey(g));
        if (existing) existing.lapsedAt = opts.lapsedAt ? new Date(opts.lapsedAt) : null;
      }
    },
    remove: async (opts, io) => {
      enter(state, "ledger.remove", io?.signal);
      for (const g of opts.grants) state.grants.delete(grantKey(g));
    },
  };
}

/** The memory store's {@link LinkedMembers}. */
export function createMemoryLinkedMembers(state: MemoryState): LinkedMembers {
  return {
    findByDiscordIds: async (opts, io) => {
      enter(state, "findByDiscordIds", io?.signal);
      return [...state.members.values()]
        .filter((m) => m.discordUserId !== null && opts.discordUserIds.includes(m.discordUserId))
        .map((m) => {
          const attributes: Record<string, unknown> = {};
          for (const c of opts.columns) attributes[c] = m.attrs[c];
          return { memberId: m.id, discordUserId: m.discordUserId!, attributes };
        });
    },
  };
}

/** The memory store's {@link MemberProfiles}. */
export function createMemoryProfiles(state: MemoryState): MemberProfiles {
  return {
    save: async (update, io) => {
      enter(state, "profiles.save", io?.signal);
      const row = state.members.get(update.memberId);
      if (!row) return;
      row.displayName = update.displayName;
      if (update.avatar) {
        row.avatarHash = update.avatar.hash;
        row.avatarBytes = update.avatar.bytes ? new Uint8Array(update.avatar.bytes) : null;
      }
    },
  };
}
