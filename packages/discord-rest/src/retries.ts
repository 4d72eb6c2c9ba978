import { errnoOf } from "@guildkit/core";
import { backoffDelay } from "./backoff";
import { DiscordNetworkError, DiscordTimeoutError } from "./errors";
import type { PipelineConfig } from "./pipeline-config";
import type { Route } from "./route";

/** An attempt that got no answer (and was not aborted by the caller). */
export interface FailedAttempt {
  timedOut: boolean;
  error: unknown;
}

/**
 * Books a timeout or a dropped connection; throws {@link DiscordTimeoutError} or
 * {@link DiscordNetworkError} once `failures` exceeds `retries`. Returns the reason to retry with.
 */
export function onNoAnswer(
  config: PipelineConfig,
  route: Route,
  failed: FailedAttempt,
  failures: number,
): string {
  const errno = errnoOf(failed.error);
  if (failed.timedOut) config.stats.counters.timeouts += 1;
  else config.stats.counters.networkErrors += 1;
  if (failures > config.retries) {
    if (failed.timedOut) {
      throw new DiscordTimeoutError(
        `${route.template} got no answer within ${config.timeoutMs} ms (${failures} attempts); Discord or the network is slow — retry later`,
        { route: route.template, timeoutMs: config.timeoutMs },
      );
    }
    throw new DiscordNetworkError(
      `${route.template} failed to connect (${errno ?? "network error"}, ${failures} attempts); check network access to Discord`,
      { route: route.template, errno, cause: failed.error },
    );
  }
  return failed.timedOut ? "timeout" : (errno ?? "network");
}

/**
 * Waits the full-jitter backoff before retry number `failures` (250 ms × 2ⁿ cap) on the client's
 * scheduler. Resolves early when `signal` aborts (the caller checks it).
 */
export async function backoffBeforeRetry(
  config: PipelineConfig,
  route: Route,
  failures: number,
  reason: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const delay = backoffDelay(failures - 1, { random: config.random });
  config.stats.counters.retries += 1;
  config.observer.retry(route, reason, failures);
  config.logger.debug("discord.retry", { route: route.template, reason, attempt: failures, delayMs: delay });
  await config.scheduler.sleep(delay, { signal });
}
