import { randomUUID } from "node:crypto";
import type { Clock, Scheduler } from "@guildkit/core";
import { DiscordBanGuardError } from "../errors";
import type { DiscordRestLogger } from "../pipeline-config";
import { createMemoryInvalidRequestLedger, type InvalidRequestLedger } from "./ledger";

/** Where the guard stands: `normal`, `slowing` (calls are spaced out) or `stopped` (calls refused). */
export type BanGuardState = "normal" | "slowing" | "stopped";

/** Thresholds of the ban guard (Discord bans an IP at 10,000 invalid requests in 10 minutes). */
export interface BanGuardOptions {
  /** Where invalid requests are counted (default: in this process). */
  ledger?: InvalidRequestLedger;
  /** From this count on, each call waits up to `maxSlowdownMs` (growing with the count; default 2,500). */
  slowAt?: number;
  /** At this count, calls are refused with `DiscordBanGuardError` until the window allows (default 5,000). */
  stopAt?: number;
  /** The longest wait added to a call while slowing (default 1,000 ms). */
  maxSlowdownMs?: number;
  /** A shared count older than this is read again before a call (default 1,000 ms). */
  refreshMs?: number;
  /** Route templates that are never slowed nor refused (e.g. what a signed-in user waits for; default none). */
  essentialRoutes?: readonly string[];
}

/** Defaults of {@link BanGuardOptions}. */
export const BAN_GUARD_DEFAULTS = {
  slowAt: 2500,
  stopAt: 5000,
  maxSlowdownMs: 1000,
  refreshMs: 1000,
} as const;

/** What `stats().banGuard` reports. */
export interface BanGuardSnapshot {
  state: BanGuardState;
  /** The count last read from the ledger (shared across processes with a Redis ledger). */
  invalidRequests: number;
  slowAt: number;
  stopAt: number;
  /** Calls refused since the client was created. */
  refused: number;
}

/** One admitted call: tell the guard how it was answered. Neither method rejects. */
export interface BanTicket {
  /** Discord answered 401, 403 or a non-shared 429. */
  invalid(): Promise<void>;
  /** Any other outcome (an answer, no answer, not sent). */
  release(): Promise<void>;
}

/** The guard one client consults before each call. */
export interface BanGuard {
  /** Waits (slowing) or throws {@link DiscordBanGuardError} (stopped); resolves at once when normal. */
  admit(route: string, signal?: AbortSignal): Promise<BanTicket>;
  snapshot(): BanGuardSnapshot;
  close(): Promise<void>;
}

interface GuardDeps {
  clock: Clock;
  scheduler: Scheduler;
  logger: DiscordRestLogger;
}

function validated(options: BanGuardOptions) {
  const slowAt = options.slowAt ?? BAN_GUARD_DEFAULTS.slowAt;
  const stopAt = options.stopAt ?? BAN_GUARD_DEFAULTS.stopAt;
  if (!(Number.isInteger(stopAt) && stopAt > 0 && stopAt < 10_000))
    throw new RangeError(`banGuard.stopAt must be an integer between 1 and 9,999, got ${stopAt}`);
  if (!(Number.isInteger(slowAt) && slowAt > 0 && slowAt <= stopAt))
    throw new RangeError(
      `banGuard.slowAt must be an integer between 1 and stopAt (${stopAt}), got ${slowAt}`,
    );
  return {
    slowAt,
    stopAt,
    maxSlowdownMs: options.maxSlowdownMs ?? BAN_GUARD_DEFAULTS.maxSlowdownMs,
    refreshMs: options.refreshMs ?? BAN_GUARD_DEFAULTS.refreshMs,
    essential: new Set(options.essentialRoutes ?? []),
  };
}

/**
 * A circuit breaker over invalid requests: below `slowAt` it does nothing; from `slowAt` on each
 * non-essential call waits longer the closer the count is to `stopAt` and reserves its place in the
 * count before it is sent (so calls in flight in every process are counted, and no more than `stopAt`
 * invalid requests are ever sent in a window); at `stopAt` calls are refused (`DiscordBanGuardError`,
 * retryable, `retryAfterMs` = when the window falls below `stopAt` again). Each change of state is
 * logged as `discord.ban_guard` (the event-log reporter writes it to the event log). When the ledger
 * fails (Redis down), the guard counts in the process until it answers again.
 */
export function createBanGuard(options: BanGuardOptions, deps: GuardDeps): BanGuard {
  const limits = validated(options);
  const { clock, scheduler, logger } = deps;
  const local = createMemoryInvalidRequestLedger({ clock });
  const ledger = options.ledger ?? local;
  let count = 0;
  let readAt = Number.NEGATIVE_INFINITY;
  let state: BanGuardState = "normal";
  let refused = 0;

  const stateOf = (n: number): BanGuardState =>
    n >= limits.stopAt ? "stopped" : n >= limits.slowAt ? "slowing" : "normal";

  const settle = (n: number, route: string) => {
    count = n;
    readAt = clock.now().getTime();
    const next = stateOf(n);
    if (next === state) return;
    const previous = state;
    state = next;
    logger.warn("discord.ban_guard", {
      route,
      state: next,
      previous,
      invalidRequestsLast10Min: n,
      slowAt: limits.slowAt,
      stopAt: limits.stopAt,
    });
  };

  /** Runs a ledger call on the shared ledger, or on the process's own count when it fails. */
  const shared = async <T>(
    call: (l: InvalidRequestLedger) => Promise<T>,
  ): Promise<[T, InvalidRequestLedger]> => {
    if (ledger !== local) {
      try {
        return [await call(ledger), ledger];
      } catch {
        // Redis away: the process's own count stands in.
      }
    }
    return [await call(local), local];
  };

  /** Records a confirmed invalid request in the shared ledger and, as a stand-in, in the local one. */
  const record = async (route: string) => {
    const [n, where] = await shared((l) => l.add());
    if (where !== local) await local.add();
    settle(n, route);
  };

  const refuse = async (route: string): Promise<never> => {
    const [retryAfterMs] = await shared((l) => l.msUntilBelow(limits.stopAt));
    refused += 1;
    throw new DiscordBanGuardError(
      `${route} was not sent: ${count} invalid Discord requests (401/403/429) in the last 10 minutes reached the ban guard's stop (${limits.stopAt}; Discord bans the IP at 10,000). Fix what is refused (see the event log: a role above the bot's, a missing permission, a revoked token); calls resume in ${Math.ceil(retryAfterMs / 1000)} s`,
      { route, retryAfterMs: Math.max(1000, retryAfterMs), invalidRequests: count },
    );
  };

  /** Counts the call before it is sent; refuses it when that would pass `stopAt`. */
  const reserve = async (route: string): Promise<BanTicket> => {
    const id = randomUUID();
    const [n, where] = await shared((l) => l.add(id));
    if (n > limits.stopAt) {
      await where.remove(id).catch(() => {});
      settle(n - 1, route);
      return refuse(route);
    }
    settle(n, route);
    return {
      async invalid() {
        if (where !== local) await local.add();
      },
      release: () => where.remove(id).catch(() => {}),
    };
  };

  const plain = (route: string): BanTicket => ({
    invalid: () => record(route).catch(() => {}),
    release: async () => {},
  });

  return {
    async admit(route, signal) {
      if (limits.essential.has(route)) return plain(route);
      if (clock.now().getTime() - readAt >= limits.refreshMs)
        settle((await shared((l) => l.count()))[0], route);
      if (state === "normal") return plain(route);
      if (state === "stopped") {
        settle((await shared((l) => l.count()))[0], route);
        if ((state as BanGuardState) === "stopped") return refuse(route);
      }
      const span = Math.max(1, limits.stopAt - limits.slowAt);
      const delay = Math.round((limits.maxSlowdownMs * (count - limits.slowAt + 1)) / span);
      if (delay > 0) await scheduler.sleep(Math.min(delay, limits.maxSlowdownMs), { signal });
      return reserve(route);
    },
    snapshot: () => ({
      state,
      invalidRequests: count,
      slowAt: limits.slowAt,
      stopAt: limits.stopAt,
      refused,
    }),
    async close() {
      await ledger.close?.();
    },
  };
}
