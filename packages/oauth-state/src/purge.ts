import type { Clock, IoOptions, NonceStore, Scheduler, SessionStore } from "./ports";

/** What the purge deletes: spent state nonces whose tokens expired, and expired sessions. */
export type PurgeTarget = "nonces" | "sessions";

/** Default time between two purges: 5 minutes. */
export const PURGE_INTERVAL_MS = 5 * 60_000;

/** Delete the spent nonces whose tokens have expired at the clock's now; resolves how many. */
export function purgeExpiredNonces(nonces: NonceStore, clock: Clock, opts: IoOptions = {}): Promise<number> {
  return nonces.purgeExpired({ now: clock.now() }, opts);
}

/** Options of {@link createExpiredStatePurge}. */
export interface ExpiredStatePurgeOptions {
  nonces: NonceStore;
  sessions: SessionStore;
  clock: Clock;
  /** Waits between purges (`systemScheduler` of `@guildkit/core/system`; fake time in tests). */
  scheduler: Scheduler;
  /** Time between two purges in ms; default {@link PURGE_INTERVAL_MS}. */
  intervalMs?: number;
  /** Told how many rows a purge deleted (only when it deleted some). */
  onPurged?(target: PurgeTarget, deleted: number): void;
  /** Told when a purge failed (not when it failed because `signal` aborted); the next interval retries. */
  onFailure?(target: PurgeTarget, error: unknown): void;
}

/** One pass: how many rows each target lost, or the error it failed with. */
export type PurgeReport = Record<PurgeTarget, { deleted: number } | { error: unknown }>;

/**
 * Keeps `oauth_states` and `sessions` small: a nonce only matters until its token expires (10 minutes at
 * most) and an expired session is never read again.
 */
export interface ExpiredStatePurge {
  /** Purge nonces, then sessions; one failing does not skip the other. */
  purgeOnce(opts?: IoOptions): Promise<PurgeReport>;
  /** Purge at once and then every interval, until `signal` aborts (resolves then, without throwing). */
  run(opts: { signal: AbortSignal }): Promise<void>;
}

/** Creates the purge of expired OAuth state nonces and sessions over their stores. */
export function createExpiredStatePurge(options: ExpiredStatePurgeOptions): ExpiredStatePurge {
  const { nonces, sessions, clock, scheduler } = options;
  const intervalMs = options.intervalMs ?? PURGE_INTERVAL_MS;
  const targets: ReadonlyArray<[PurgeTarget, (opts: IoOptions) => Promise<number>]> = [
    ["nonces", (opts) => purgeExpiredNonces(nonces, clock, opts)],
    ["sessions", (opts) => sessions.purgeExpired({ now: clock.now() }, opts)],
  ];

  async function purgeOnce(opts: IoOptions = {}): Promise<PurgeReport> {
    const report = {} as PurgeReport;
    for (const [target, purge] of targets) {
      try {
        const deleted = await purge(opts);
        report[target] = { deleted };
        if (deleted > 0) options.onPurged?.(target, deleted);
      } catch (error) {
        report[target] = { error };
        if (opts.signal?.aborted) return report;
        options.onFailure?.(target, error);
      }
    }
    return report;
  }

  return {
    purgeOnce,
    async run({ signal }) {
      while (!signal.aborted) {
        await purgeOnce({ signal });
        await scheduler.sleep(intervalMs, { signal });
      }
    },
  };
}
