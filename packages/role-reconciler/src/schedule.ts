/** Default full-reconciliation interval, in hours (as in the seed system). */
export const DEFAULT_SYNC_INTERVAL_HOURS = 24;
/** Shortest allowed sync interval, in hours. */
export const MIN_SYNC_INTERVAL_HOURS = 1;
/** Longest allowed sync interval, in hours (one week). */
export const MAX_SYNC_INTERVAL_HOURS = 168;

const HOUR_MS = 3_600_000;

/**
 * Share of the interval kept as margin: a member checked at `t` is due again at
 * `t + 0.9 × interval`, so queueing delays still re-check it within the interval; and a bulk pass
 * also takes members due within the next `0.1 × interval`, so scattered re-checks fall back in
 * step with the bulk pass instead of costing one read each.
 */
export const RECHECK_MARGIN = 0.1;

/** The sync interval in ms: `hours` clamped to 1–168, 24 when unset or not a number. */
export function syncIntervalMs(hours?: number | null): number {
  if (hours === null || hours === undefined || !Number.isFinite(hours))
    return DEFAULT_SYNC_INTERVAL_HOURS * HOUR_MS;
  const clamped = Math.min(MAX_SYNC_INTERVAL_HOURS, Math.max(MIN_SYNC_INTERVAL_HOURS, hours));
  return Math.round(clamped * HOUR_MS);
}

/** When a member checked at `checkedAt` is due for its periodic re-check. */
export function nextRecheckAt(checkedAt: Date, intervalMs: number): Date {
  return new Date(checkedAt.getTime() + Math.round(intervalMs * (1 - RECHECK_MARGIN)));
}

/** How far ahead a bulk pass claims members (they are checked a little early, at no read cost). */
export function bulkLookaheadMs(intervalMs: number): number {
  return Math.round(intervalMs * RECHECK_MARGIN);
}

/**
 * The full-pass safety net: members not checked since this time are made due (see
 * `SyncQueue.scheduleFullPass`). Catches rows scheduled under a longer, older interval.
 */
export function fullPassCutoff(now: Date, intervalMs: number): Date {
  return new Date(now.getTime() - intervalMs);
}
