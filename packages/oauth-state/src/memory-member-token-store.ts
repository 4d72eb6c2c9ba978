import type { KeptGrant, KeptGrantRef, MemberTokenStore } from "./member-token-ports";

/** An in-process {@link MemberTokenStore}; adds `peek` for inspection. */
export interface MemoryMemberTokenStore extends MemberTokenStore {
  /** The kept grant of `memberId` as stored (`null` when none): a backdoor read for tests. */
  peek(memberId: string): KeptGrant | null;
}

/** Options of {@link createMemoryMemberTokenStore}. */
export interface MemoryMemberTokenStoreOptions {
  /**
   * The Discord account `memberId` is linked to now: a string, `null` when unlinked, `undefined` when
   * the member is gone. `listOrphans` reads it; without it no grant is an orphan.
   */
  linkedDiscordUserId?: (memberId: string) => string | null | undefined;
}

const copy = (grant: KeptGrant): KeptGrant => ({
  ...grant,
  scopes: [...grant.scopes],
  expiresAt: new Date(grant.expiresAt),
  updatedAt: new Date(grant.updatedAt),
  consentNeededAt: grant.consentNeededAt === null ? null : new Date(grant.consentNeededAt),
});

const refOf = (grant: KeptGrant): KeptGrantRef => ({
  memberId: grant.memberId,
  discordUserId: grant.discordUserId,
  version: grant.version,
  expiresAt: new Date(grant.expiresAt),
});

/**
 * A {@link MemberTokenStore} in a `Map`, for tests and a single process. Tokens are kept in memory as
 * given (nothing is written to disk, so nothing is sealed).
 */
export function createMemoryMemberTokenStore(
  options: MemoryMemberTokenStoreOptions = {},
): MemoryMemberTokenStore {
  const rows = new Map<string, KeptGrant>();
  let versions = 0;
  return {
    async save({ memberId, discordUserId, accessToken, refreshToken, scopes, expiresAt, now }, opts = {}) {
      opts.signal?.throwIfAborted();
      versions += 1;
      rows.set(memberId, {
        memberId,
        discordUserId,
        accessToken,
        refreshToken,
        scopes: [...scopes],
        expiresAt: new Date(expiresAt),
        consentNeededAt: null,
        updatedAt: new Date(now),
        version: versions,
      });
    },
    async read({ memberId }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = rows.get(memberId);
      return row ? copy(row) : null;
    },
    async status({ memberId }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = rows.get(memberId);
      if (!row) return null;
      const { accessToken: _a, refreshToken: _r, ...status } = copy(row);
      return status;
    },
    async replace({ memberId, version, accessToken, refreshToken, scopes, expiresAt, now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = rows.get(memberId);
      if (!row || row.version !== version) return false;
      versions += 1;
      rows.set(memberId, {
        ...row,
        accessToken,
        refreshToken,
        scopes: [...scopes],
        expiresAt: new Date(expiresAt),
        updatedAt: new Date(now),
        version: versions,
      });
      return true;
    },
    async markConsentNeeded({ memberId, version, now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = rows.get(memberId);
      if (!row || row.version !== version) return false;
      versions += 1;
      rows.set(memberId, {
        ...row,
        consentNeededAt: new Date(now),
        updatedAt: new Date(now),
        version: versions,
      });
      return true;
    },
    async delete({ memberId, version }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = rows.get(memberId);
      if (!row || (version !== undefined && row.version !== version)) return false;
      rows.delete(memberId);
      return true;
    },
    async listExpiring({ before, limit }, opts = {}) {
      opts.signal?.throwIfAborted();
      return [...rows.values()]
        .filter((r) => r.refreshToken !== null && r.consentNeededAt === null)
        .filter((r) => r.expiresAt.getTime() < before.getTime())
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || a.memberId.localeCompare(b.memberId))
        .slice(0, Math.max(0, limit))
        .map(refOf);
    },
    async listOrphans({ limit }, opts = {}) {
      opts.signal?.throwIfAborted();
      const linked = options.linkedDiscordUserId;
      if (!linked) return [];
      return [...rows.values()]
        .filter((r) => linked(r.memberId) !== r.discordUserId)
        .sort((a, b) => a.memberId.localeCompare(b.memberId))
        .slice(0, Math.max(0, limit))
        .map(refOf);
    },
    peek(memberId) {
      const row = rows.get(memberId);
      return row ? copy(row) : null;
    },
  };
}
