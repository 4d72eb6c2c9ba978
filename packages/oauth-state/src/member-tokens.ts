import { MemberTokenError } from "./member-token-errors";
import type {
  GrantedTokens,
  KeptGrant,
  MemberGrant,
  MemberGrantClient,
  MemberTokenSource,
  MemberTokenStore,
} from "./member-token-ports";
import type { Clock, EventLog, EventLogEntry, IoOptions } from "./ports";

/** `accessToken()` refreshes a token that expires within this margin (default 10 minutes). */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 10 * 60 * 1000;

/** The worker refreshes grants expiring within this window (default 1 day of Discord's 7). */
export const GRANT_REFRESH_AHEAD_MS = 24 * 60 * 60 * 1000;

/** Options of {@link createMemberTokens}. */
export interface MemberTokensOptions {
  store: MemberTokenStore;
  client: MemberGrantClient;
  clock: Clock;
  /** Where re-consent, revocations and failures are written (never a token). */
  eventLog?: EventLog;
  /** Default {@link ACCESS_TOKEN_REFRESH_MARGIN_MS}. */
  refreshMarginMs?: number;
  /** Called when writing to the event log fails. */
  onEventLogFailure?: (error: unknown, entry: EventLogEntry) => void;
}

/** What {@link MemberTokens.refreshExpiring} and {@link MemberTokens.sweepOrphans} did. */
export interface MemberTokenPass {
  /** Grants refreshed (or revoked and deleted, for the sweep). */
  done: number;
  /** Grants Discord refused to refresh: now marked as needing re-consent. */
  consentNeeded: number;
  /** Failures left for the next pass (Discord unavailable). */
  failed: number;
}

/** The kept member grants: read, refresh (with re-consent on refusal), revoke. */
export interface MemberTokens extends MemberTokenSource {
  /**
   * Revoke the member's grant at Discord (`/oauth2/token/revoke`, which ends every token of the
   * authorization) and delete it. Resolves whether a grant was kept. A refusal to revoke by Discord
   * (the token is already dead) still deletes.
   *
   * @throws {@link MemberTokenError} when Discord could not be reached (the grant is kept, to retry).
   */
  revoke(memberId: string, options?: IoOptions): Promise<boolean>;
  /** Refresh up to `limit` grants expiring before `now + aheadMs` (default {@link GRANT_REFRESH_AHEAD_MS}). */
  refreshExpiring(input: { limit: number; aheadMs?: number }, options?: IoOptions): Promise<MemberTokenPass>;
  /** Revoke and delete up to `limit` grants whose member was deleted or unlinked. */
  sweepOrphans(input: { limit: number }, options?: IoOptions): Promise<MemberTokenPass>;
}

/** Discord refused the refresh token itself (`invalid_grant`): only the member can fix it. */
function isRefusal(error: unknown): boolean {
  const fields = (error ?? {}) as { status?: unknown; error?: unknown; retryable?: unknown };
  if (fields.retryable === true) return false;
  if (typeof fields.error === "string") return fields.error === "invalid_grant";
  return fields.status === 400;
}

const statusOf = (error: unknown): number | null => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : null;
};
const retryableOf = (error: unknown) => (error as { retryable?: unknown } | null)?.retryable === true;

const grantOf = (kept: Pick<KeptGrant, "accessToken" | "expiresAt" | "scopes">): MemberGrant => ({
  accessToken: kept.accessToken,
  expiresAt: kept.expiresAt,
  scopes: [...kept.scopes],
});

/**
 * The member tokens over their store and Discord's token endpoint. Refreshes are single-flight per
 * member in this process, and guarded by the grant's version across processes: when two refreshers
 * race, the loser finds the winner's tokens instead of marking the link for re-consent.
 */
export function createMemberTokens(options: MemberTokensOptions): MemberTokens {
  const { store, client, clock } = options;
  const margin = options.refreshMarginMs ?? ACCESS_TOKEN_REFRESH_MARGIN_MS;
  const inFlight = new Map<string, Promise<MemberGrant | null>>();

  async function log(entry: EventLogEntry, opts: IoOptions): Promise<void> {
    if (!options.eventLog) return;
    try {
      await options.eventLog.append(entry, opts);
    } catch (error) {
      options.onEventLogFailure?.(error, entry);
    }
  }

  const expiresAt = (tokens: GrantedTokens) =>
    new Date(clock.now().getTime() + tokens.expiresInSeconds * 1000);

  async function refreshKept(kept: KeptGrant, opts: IoOptions): Promise<MemberGrant | null> {
    const { memberId, version } = kept;
    if (kept.refreshToken === null) return needConsent(kept, "no_refresh_token", opts);
    let tokens: GrantedTokens;
    try {
      tokens = await client.refresh({ refreshToken: kept.refreshToken }, opts);
    } catch (error) {
      // Another process may have rotated the pair meanwhile: its tokens win over a refusal.
      const now = await store.read({ memberId }, opts);
      if (now !== null && now.version !== version) return now.consentNeededAt === null ? grantOf(now) : null;
      if (!isRefusal(error)) {
        const failure = new MemberTokenError("refresh_failed", {
          memberId,
          status: statusOf(error),
          retryable: retryableOf(error) || statusOf(error) === null,
          cause: error,
        });
        await log(
          {
            kind: "oauth.token",
            level: "warn",
            message: "Refreshing the member's Discord OAuth grant failed; it is retried later",
            memberId,
            discordUserId: kept.discordUserId,
            data: { outcome: "refresh_failed", status: failure.status },
          },
          opts,
        );
        throw failure;
      }
      return needConsent(kept, "refresh_refused", opts);
    }
    const next = {
      memberId,
      version,
      accessToken: tokens.accessToken,
      // Discord rotates the refresh token; keep the old one only if it sent none.
      refreshToken: tokens.refreshToken ?? kept.refreshToken,
      scopes: tokens.scopes,
      expiresAt: expiresAt(tokens),
      now: clock.now(),
    };
    if (await store.replace(next, opts)) return grantOf(next);
    const current = await store.read({ memberId }, opts);
    return current !== null && current.consentNeededAt === null ? grantOf(current) : null;
  }

  async function needConsent(
    kept: KeptGrant,
    why: "refresh_refused" | "no_refresh_token",
    opts: IoOptions,
  ): Promise<null> {
    const marked = await store.markConsentNeeded(
      { memberId: kept.memberId, version: kept.version, now: clock.now() },
      opts,
    );
    if (marked) {
      await log(
        {
          kind: "oauth.token",
          level: "warn",
          message: "Discord refused to refresh the member's OAuth grant; the member must link Discord again",
          memberId: kept.memberId,
          discordUserId: kept.discordUserId,
          data: { outcome: "consent_needed", reason: why },
        },
        opts,
      );
    }
    return null;
  }

  function refresh(memberId: string, opts: IoOptions = {}): Promise<MemberGrant | null> {
    const running = inFlight.get(memberId);
    if (running) return running;
    const run = (async () => {
      const kept = await store.read({ memberId }, opts);
      if (kept === null || kept.consentNeededAt !== null) return null;
      return refreshKept(kept, opts);
    })().finally(() => inFlight.delete(memberId));
    inFlight.set(memberId, run);
    return run;
  }

  async function revokeKept(kept: KeptGrant, reason: string, opts: IoOptions): Promise<boolean> {
    const token = kept.refreshToken ?? kept.accessToken;
    const tokenTypeHint = kept.refreshToken !== null ? "refresh_token" : "access_token";
    try {
      await client.revoke({ token, tokenTypeHint }, opts);
    } catch (error) {
      if (retryableOf(error) || statusOf(error) === null || statusOf(error)! >= 500) {
        throw new MemberTokenError("revoke_failed", {
          memberId: kept.memberId,
          status: statusOf(error),
          retryable: true,
          cause: error,
        });
      }
      // A 4xx: Discord no longer knows the token; nothing left to revoke.
    }
    const deleted = await store.delete({ memberId: kept.memberId, version: kept.version }, opts);
    await log(
      {
        kind: "oauth.token",
        level: "info",
        message: "The member's Discord OAuth grant was revoked at Discord and deleted",
        memberId: kept.memberId,
        discordUserId: kept.discordUserId,
        data: { outcome: "revoked", reason },
      },
      opts,
    );
    return deleted;
  }

  return {
    async accessToken(memberId, opts = {}) {
      const kept = await store.read({ memberId }, opts);
      if (kept === null || kept.consentNeededAt !== null) return null;
      if (kept.expiresAt.getTime() - clock.now().getTime() > margin) return grantOf(kept);
      return refresh(memberId, opts);
    },
    refresh: (memberId, opts) => refresh(memberId, opts),
    async revoke(memberId, opts = {}) {
      const kept = await store.read({ memberId }, opts);
      if (kept === null) return false;
      return revokeKept(kept, "unlinked", opts);
    },
    async refreshExpiring({ limit, aheadMs }, opts = {}) {
      const before = new Date(clock.now().getTime() + (aheadMs ?? GRANT_REFRESH_AHEAD_MS));
      const due = await store.listExpiring({ before, limit }, opts);
      const pass: MemberTokenPass = { done: 0, consentNeeded: 0, failed: 0 };
      for (const ref of due) {
        opts.signal?.throwIfAborted();
        try {
          const grant = await refresh(ref.memberId, opts);
          if (grant === null) pass.consentNeeded += 1;
          else pass.done += 1;
        } catch (error) {
          if (!(error instanceof MemberTokenError)) throw error;
          pass.failed += 1;
        }
      }
      return pass;
    },
    async sweepOrphans({ limit }, opts = {}) {
      const orphans = await store.listOrphans({ limit }, opts);
      const pass: MemberTokenPass = { done: 0, consentNeeded: 0, failed: 0 };
      for (const ref of orphans) {
        opts.signal?.throwIfAborted();
        const kept = await store.read({ memberId: ref.memberId }, opts);
        if (kept === null || kept.version !== ref.version) continue;
        try {
          if (await revokeKept(kept, "member_unlinked_or_deleted", opts)) pass.done += 1;
        } catch (error) {
          if (!(error instanceof MemberTokenError)) throw error;
          pass.failed += 1;
        }
      }
      return pass;
    },
  };
}
