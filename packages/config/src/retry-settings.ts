import type { Problem } from "./setting-values";

/**
 * Retry waits of a worker's tasks, for runs that must converge in seconds rather than minutes (the
 * CI profile of `pnpm chaos`, a staging soak). `null` keeps the task's own default, which is what
 * production wants.
 */
export interface RetrySettings {
  /**
   * `ROLE_SYNC_RETRY_BASE_MS`: the first wait of role sync's backoff after a transient failure
   * (a 5xx, a timeout, Discord unreachable); it doubles per attempt, 20 % jitter, capped at a day.
   * `null`: the reconciler's default, 300,000 (5 min).
   */
  roleSyncBaseMs: number | null;
  /**
   * `WEBHOOK_RETRY_SCHEDULE_MS`: the waits after each failed attempt of a webhook event, comma
   * separated (`n` waits: the event is dead after attempt `n + 1`). `null`: the delivery policy's
   * `RETRY_SCHEDULE_MS` (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
   */
  webhookScheduleMs: readonly number[] | null;
}

const MAX_WAIT_MS = 7 * 24 * 3_600_000;
const MAX_SCHEDULE = 20;

/** Reads `ROLE_SYNC_RETRY_BASE_MS` and `WEBHOOK_RETRY_SCHEDULE_MS` (see {@link RetrySettings}). */
export function parseRetrySettings(get: (name: string) => string | null, problem: Problem): RetrySettings {
  const baseText = get("ROLE_SYNC_RETRY_BASE_MS");
  let roleSyncBaseMs: number | null = null;
  if (baseText !== null) {
    roleSyncBaseMs = /^\d+$/.test(baseText) ? Number(baseText) : Number.NaN;
    if (!(roleSyncBaseMs >= 100 && roleSyncBaseMs <= MAX_WAIT_MS)) {
      problem(
        "ROLE_SYNC_RETRY_BASE_MS",
        `ROLE_SYNC_RETRY_BASE_MS must be milliseconds from 100 to ${MAX_WAIT_MS}, e.g. ROLE_SYNC_RETRY_BASE_MS=300000 (got "${baseText}")`,
      );
    }
  }
  const scheduleText = get("WEBHOOK_RETRY_SCHEDULE_MS");
  let webhookScheduleMs: number[] | null = null;
  if (scheduleText !== null) {
    webhookScheduleMs = scheduleText.split(",").map((part) => {
      const text = part.trim();
      return /^\d+$/.test(text) ? Number(text) : Number.NaN;
    });
    const valid =
      webhookScheduleMs.length <= MAX_SCHEDULE &&
      webhookScheduleMs.every((ms) => ms >= 0 && ms <= MAX_WAIT_MS);
    if (!valid) {
      problem(
        "WEBHOOK_RETRY_SCHEDULE_MS",
        `WEBHOOK_RETRY_SCHEDULE_MS must be 1 to ${MAX_SCHEDULE} comma-separated waits in milliseconds (0 to ${MAX_WAIT_MS}), e.g. WEBHOOK_RETRY_SCHEDULE_MS=5000,300000,1800000 (got "${scheduleText}")`,
      );
    }
  }
  return { roleSyncBaseMs, webhookScheduleMs };
}
