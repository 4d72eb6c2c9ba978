import type { Clock, EventLog, EventLogEntry, GuildGateway, IoOptions, Scheduler, SyncQueue } from "./ports";
import type { RoleReconciler, RoleSyncSettings, RunSummary } from "./reconcile";
import { fullPassCutoff } from "./schedule";

/** What the loop gets when it loads the settings (each round, so changes need no restart). */
export type SettingsLoad =
  | { status: "ready"; settings: RoleSyncSettings; gateway: GuildGateway }
  | {
      status: "incomplete";
      /** The settings still missing, e.g. `["bot token", "guild id"]` (names only, never values). */
      missing: string[];
    };

/** Loop timing; every field has a default. */
export interface RoleSyncLoopOptions {
  /** Wait when nothing is due (default 5 s; `waitForWork` may wake earlier). */
  pollMs: number;
  /** Wait while settings are incomplete (default 30 s). */
  idlePollMs: number;
  /** How often the full-pass safety net runs (default 5 min). */
  fullPassCheckMs: number;
  /** First pause after a failed round or a round where every member failed (default 5 s, doubling). */
  errorPauseMs: number;
  /** Longest such pause (default 5 min). */
  maxErrorPauseMs: number;
}

/** Defaults of {@link RoleSyncLoopOptions}. */
export const DEFAULT_LOOP_OPTIONS: Readonly<RoleSyncLoopOptions> = Object.freeze({
  pollMs: 5_000,
  idlePollMs: 30_000,
  fullPassCheckMs: 300_000,
  errorPauseMs: 5_000,
  maxErrorPauseMs: 300_000,
});

/** What the loop is built from. */
export interface RoleSyncLoopDeps {
  reconciler: RoleReconciler;
  queue: Pick<SyncQueue, "scheduleFullPass">;
  loadSettings(io?: IoOptions): Promise<SettingsLoad>;
  clock: Clock;
  scheduler: Scheduler;
  eventLog: EventLog;
  /**
   * Waits for work: resolves after `timeoutMs`, or earlier when a member may have become due
   * (e.g. Postgres LISTEN/NOTIFY). Default: `scheduler.sleep`.
   */
  waitForWork?(opts: { timeoutMs: number; signal: AbortSignal }): Promise<void>;
  /** Called when the loop goes idle for incomplete settings or becomes ready again (log it). */
  onStatus?(status: { state: "idle"; missing: string[] } | { state: "ready" }): void;
  /** Called after each round. */
  onRound?(summary: RunSummary): void;
  options?: Partial<RoleSyncLoopOptions>;
}

/** The worker loop of role sync. */
export interface RoleSyncLoop {
  /**
   * Runs rounds until `stop` fires; then finishes the member in hand, releases the other claimed
   * members and resolves. `signal` (a second, hard stop) also aborts the calls in flight.
   */
  run(opts: { stop: AbortSignal; signal?: AbortSignal }): Promise<void>;
}

/**
 * Creates the loop that an app runs: loads settings each round (idling, and saying so once, while
 * bot token, guild or roles are missing), runs the full-pass safety net every few minutes, runs
 * reconciliation rounds back to back while work is due, waits for work otherwise, and pauses with
 * growing delays when rounds fail — including rounds that fail because the database is away, when
 * the event log cannot be written either: the loop only ends when `stop` fires.
 */
export function createRoleSyncLoop(deps: RoleSyncLoopDeps): RoleSyncLoop {
  const options: RoleSyncLoopOptions = { ...DEFAULT_LOOP_OPTIONS, ...deps.options };
  const { clock, scheduler, eventLog } = deps;

  /** The event log is best effort here: a write that fails (the database is away) never ends the loop. */
  async function record(entry: EventLogEntry): Promise<void> {
    try {
      await eventLog.append(entry);
    } catch {
      // the failed step is retried after its pause; a host that mirrors the event log to its
      // process log (the reference worker does) still sees the entry
    }
  }

  async function sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || ms <= 0) return;
    await scheduler.sleep(ms, { signal }).catch(() => {});
  }

  return {
    async run({ stop, signal: hard }) {
      let idle = false;
      let lastFullPass: number | null = null;
      let failures = 0;
      const pause = () =>
        Math.min(options.maxErrorPauseMs, options.errorPauseMs * 2 ** Math.max(0, failures - 1));
      while (!stop.aborted && !hard?.aborted) {
        let load: SettingsLoad;
        try {
          load = await deps.loadSettings({ signal: hard });
        } catch (error) {
          failures += 1;
          await record({
            kind: "role_sync.settings_error",
            level: "error",
            message: `cannot load the role-sync settings: ${error instanceof Error ? error.message : String(error)}`,
          });
          await sleep(pause(), stop);
          continue;
        }
        if (load.status === "incomplete") {
          if (!idle) {
            idle = true;
            deps.onStatus?.({ state: "idle", missing: load.missing });
            await record({
              kind: "role_sync.idle",
              level: "warn",
              message: `role sync is idle until these settings are set: ${load.missing.join(", ")}`,
              data: { missing: load.missing },
            });
          }
          await sleep(options.idlePollMs, stop);
          continue;
        }
        if (idle) {
          idle = false;
          deps.onStatus?.({ state: "ready" });
          await record({
            kind: "role_sync.ready",
            level: "info",
            message: "role sync settings complete; syncing",
          });
        }
        const { settings, gateway } = load;
        let summary: RunSummary;
        try {
          const now = clock.now();
          if (lastFullPass === null || now.getTime() - lastFullPass >= options.fullPassCheckMs) {
            await deps.queue.scheduleFullPass(
              { now, checkedBefore: fullPassCutoff(now, settings.syncIntervalMs) },
              { signal: hard },
            );
            lastFullPass = now.getTime();
          }
          summary = await deps.reconciler.runOnce({ settings, gateway, stop, signal: hard });
        } catch (error) {
          if (hard?.aborted) break;
          failures += 1;
          await record({
            kind: "role_sync.round_failed",
            level: "error",
            message: `role sync round failed: ${error instanceof Error ? error.message : String(error)}`,
            data: { failures },
          });
          await sleep(pause(), stop);
          continue;
        }
        deps.onRound?.(summary);
        if (summary.blockedUntil) {
          failures = 0;
          await sleep(summary.blockedUntil.getTime() - clock.now().getTime(), stop);
          continue;
        }
        if (summary.processed > 0 && summary.transientErrors === summary.processed) {
          // Every member failed transiently (each has its own backoff): Discord is struggling.
          failures += 1;
          await sleep(pause(), stop);
          continue;
        }
        failures = 0;
        if (summary.claimed === 0) {
          if (stop.aborted) break;
          if (deps.waitForWork) {
            await deps.waitForWork({ timeoutMs: options.pollMs, signal: stop }).catch(() => {});
          } else {
            await sleep(options.pollMs, stop);
          }
        }
      }
    },
  };
}
