import type { WorkerContext, WorkerTask } from "./context";

/**
 * Purges spent OAuth state nonces whose tokens have expired (`oauth_states`) and expired sessions
 * (`sessions`), at start and then every `intervalMs` (default 5 minutes). A nonce only matters until its
 * token expires (10 minutes at most) and an expired session is never read again, so both tables stay
 * small whatever the traffic. One failing purge does not skip the other.
 */
export function createOAuthStatePurgeTask(
  options: { intervalMs?: number; now?: () => Date } = {},
): WorkerTask {
  const intervalMs = options.intervalMs ?? 5 * 60_000;
  const now = options.now ?? (() => new Date());
  return {
    name: "oauth-state-purge",
    async run(ctx: WorkerContext, signal: AbortSignal) {
      while (!signal.aborted) {
        for (const [what, purge] of [
          ["OAuth state nonces", ctx.store.oauth.nonces],
          ["sessions", ctx.store.oauth.sessions],
        ] as const) {
          try {
            const deleted = await purge.purgeExpired({ now: now() }, { signal });
            if (deleted > 0) ctx.logger.debug({ deleted }, `purged expired ${what}`);
          } catch (error) {
            if (signal.aborted) break;
            ctx.logger.warn({ err: error }, `purging expired ${what} failed; retrying at the next interval`);
          }
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, intervalMs);
          function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
          }
          signal.addEventListener("abort", done, { once: true });
        });
      }
    },
  };
}

/** The purge task with its defaults. */
export const oauthStatePurgeTask: WorkerTask = createOAuthStatePurgeTask();
