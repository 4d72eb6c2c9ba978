import type { MemberGrant, MemberTokenSource } from "../token-source";

/** A {@link MemberTokenSource} in memory, with the grants it hands out and counters for assertions. */
export interface MemoryTokenSource extends MemberTokenSource {
  /** Keeps (or, with `null`, forgets) a member's grant. */
  set(memberId: string, grant: MemberGrant | null): void;
  /** Calls of `accessToken` and `refresh`, per member. */
  readonly calls: { accessToken: Map<string, number>; refresh: Map<string, number> };
}

/**
 * An in-memory token source. `refresh(memberId, current)` produces the refreshed grant (default:
 * none, as when Discord refuses the refresh token); a refused refresh forgets the grant, as the real
 * source marks the link as needing re-consent.
 */
export function createMemoryTokenSource(
  options: {
    grants?: Iterable<[string, MemberGrant]>;
    refresh?: (memberId: string, current: MemberGrant | null) => Promise<MemberGrant | null>;
  } = {},
): MemoryTokenSource {
  const grants = new Map(options.grants ?? []);
  const calls = { accessToken: new Map<string, number>(), refresh: new Map<string, number>() };
  const bump = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
  return {
    calls,
    set(memberId, grant) {
      if (grant === null) grants.delete(memberId);
      else grants.set(memberId, grant);
    },
    async accessToken(memberId, io) {
      io?.signal?.throwIfAborted();
      bump(calls.accessToken, memberId);
      return grants.get(memberId) ?? null;
    },
    async refresh(memberId, io) {
      io?.signal?.throwIfAborted();
      bump(calls.refresh, memberId);
      const next = options.refresh ? await options.refresh(memberId, grants.get(memberId) ?? null) : null;
      if (next === null) grants.delete(memberId);
      else grants.set(memberId, next);
      return next;
    },
  };
}
