import { type BackoffPolicy, backoffMs } from "@guildkit/core";
import type { MemberAccounts } from "../plan";
import type { SyncItem, SyncOutcome } from "../ports";
import { nextRecheckAt } from "../schedule";
import type { RoleSyncSettings } from "./options";

/** What went wrong (and right) while one claimed member was processed. */
export interface ItemProblems {
  transient: { reason: string; retryAfterMs: number | null }[];
  /** `blocked`: a role block covers it (logged once for the block, not per member). */
  permanent: { reason: string; blocked: boolean }[];
  notInGuild: boolean;
  added: number;
  removed: number;
  /** Members kicked on lapse. */
  kicked: number;
  /** The earliest end of a grace period the account is in (`null`: none): the member is due then. */
  graceUntil: Date | null;
}

/** No problem yet, nothing changed. */
export function noProblems(): ItemProblems {
  return {
    transient: [],
    permanent: [],
    notInGuild: false,
    added: 0,
    removed: 0,
    kicked: 0,
    graceUntil: null,
  };
}

function earliest(a: Date, b: Date | null): Date {
  return b !== null && b < a ? b : a;
}

/** How outcomes are timed: the backoff policy and its random source. */
export interface OutcomeTiming {
  backoff: BackoffPolicy;
  random: () => number;
}

/**
 * The outcome to record for a processed member, decided from its problems (pure): a transient
 * failure retries with backoff (a server's `retryAfterMs` as a floor), a permanent one waits for the
 * normal re-check, an unlinked member with nothing left to revoke is never due again (and forgotten
 * once deleted), a member in a grace period is due again when it ends (or at the normal re-check,
 * whichever is first), everyone else is re-checked on the interval.
 */
export function outcomeOf(
  input: {
    item: SyncItem;
    accounts: MemberAccounts;
    problems: ItemProblems;
    settings: RoleSyncSettings;
    checkedAt: Date;
  },
  timing: OutcomeTiming,
): SyncOutcome {
  const { item, accounts, problems, settings, checkedAt } = input;
  if (problems.transient.length > 0) {
    const attempts = item.attempts + 1;
    const retryAfterMs = Math.max(0, ...problems.transient.map((p) => p.retryAfterMs ?? 0));
    const delay = backoffMs(attempts, { policy: timing.backoff, random: timing.random, retryAfterMs });
    return {
      state: "retrying",
      checkedAt,
      nextDueAt: new Date(checkedAt.getTime() + delay),
      attempts,
      lastError: [...problems.transient, ...problems.permanent].map((p) => p.reason).join("; "),
      forget: false,
    };
  }
  if (problems.permanent.length > 0) {
    return {
      state: "permanent_error",
      checkedAt,
      nextDueAt: earliest(nextRecheckAt(checkedAt, settings.syncIntervalMs), problems.graceUntil),
      attempts: item.attempts + 1,
      lastError: [...new Set(problems.permanent.map((p) => p.reason))].join("; "),
      forget: false,
    };
  }
  if (accounts.current === null) {
    return {
      state: "unlinked",
      checkedAt,
      nextDueAt: null,
      attempts: 0,
      lastError: null,
      forget: item.deleted,
    };
  }
  const recheck = nextRecheckAt(checkedAt, settings.syncIntervalMs);
  if (problems.graceUntil !== null && !problems.notInGuild) {
    return {
      state: "grace",
      checkedAt,
      nextDueAt: earliest(recheck, problems.graceUntil),
      attempts: 0,
      lastError: null,
      forget: false,
    };
  }
  return {
    state: problems.notInGuild ? "not_in_guild" : "ok",
    checkedAt,
    nextDueAt: recheck,
    attempts: 0,
    lastError: null,
    forget: false,
  };
}
