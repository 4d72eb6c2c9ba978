import type { Clock, Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import { createExpiredStatePurge, type PurgeTarget } from "@guildkit/oauth-state";
import type { WorkerContext, WorkerTask } from "./context";

const LABELS: Record<PurgeTarget, string> = { nonces: "OAuth state nonces", sessions: "sessions" };

/**
 * Runs `createExpiredStatePurge` of `@guildkit/oauth-state` on the store's nonces (`oauth_states`) and
 * sessions (`sessions`): at start and then every `intervalMs` (default 5 minutes), on the system clock
 * and scheduler unless given others. One failing purge does not skip the other.
 */
export function createOAuthStatePurgeTask(
  options: { intervalMs?: number; clock?: Clock; scheduler?: Scheduler } = {},
): WorkerTask {
  return {
    name: "oauth-state-purge",
    run(ctx: WorkerContext, signal: AbortSignal) {
      return createExpiredStatePurge({
        nonces: ctx.store.oauth.nonces,
        sessions: ctx.store.oauth.sessions,
        clock: options.clock ?? systemClock,
        scheduler: options.scheduler ?? systemScheduler,
        intervalMs: options.intervalMs,
        onPurged: (target, deleted) => ctx.logger.debug({ deleted }, `purged expired ${LABELS[target]}`),
        onFailure: (target, error) =>
          ctx.logger.warn(
            { err: error },
            `purging expired ${LABELS[target]} failed; retrying at the next interval`,
          ),
      }).run({ signal });
    },
  };
}

/** The purge task with its defaults. */
export const oauthStatePurgeTask: WorkerTask = createOAuthStatePurgeTask();
