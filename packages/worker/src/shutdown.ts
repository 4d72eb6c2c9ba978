import type { Clock, Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";

/** How long a process may take to stop after SIGTERM before it exits anyway (a pod's grace is 30 s). */
export const SHUTDOWN_DEADLINE_MS = 25_000;

/** Options of {@link shutdownSignal}. */
export interface ShutdownOptions {
  /** After the first signal, exit with code 1 if the process has not ended by then (default 25 s; 0: never). */
  deadlineMs?: number;
  /** Told when the deadline passes, just before the exit (log it). */
  onDeadline?: (deadlineMs: number) => void;
  /** Tests: the process and time. */
  process?: Pick<NodeJS.Process, "on" | "exit">;
  clock?: Clock;
  scheduler?: Scheduler;
}

/**
 * An AbortSignal that fires on SIGTERM or SIGINT, so loops stop claiming, finish or release the item in
 * hand, and the app closes its pools. A second signal exits at once (130); a process still alive
 * `deadlineMs` after the first exits with 1 (the deadline's timer never keeps it alive by itself).
 */
export function shutdownSignal(
  onSignal?: (signal: NodeJS.Signals) => void,
  options: ShutdownOptions = {},
): AbortSignal {
  const proc = options.process ?? process;
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return proc.exit(130);
    onSignal?.(signal);
    controller.abort(new Error(`received ${signal}`));
    if (deadlineMs > 0) {
      // setTimer's timers are unref'd: a process that finished stopping exits before it fires.
      const at = new Date(clock.now().getTime() + deadlineMs);
      scheduler.setTimer(at, () => {
        options.onDeadline?.(deadlineMs);
        proc.exit(1);
      });
    }
  };
  proc.on("SIGTERM", handler);
  proc.on("SIGINT", handler);
  return controller.signal;
}
