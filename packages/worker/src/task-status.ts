import type { Clock } from "@guildkit/core";
import type { TaskStatusStore } from "@guildkit/store-kysely";
import type { Logger } from "./logger";

/** Options of {@link createRoundRecorder}. */
export interface RoundRecorderOptions {
  store: Pick<TaskStatusStore, "record">;
  /** The task's name in `task_status` (e.g. `role-sync`). */
  task: string;
  /** This worker's id. */
  worker: string;
  clock: Clock;
  /** Rounds that did nothing are recorded at most this often (default 60 s): a heartbeat. */
  idleEveryMs?: number;
  log?: Pick<Logger, "debug">;
}

/**
 * What a task calls after each round: records the round in `task_status` — every round that did
 * something, idle ones at most once a minute — without ever delaying or failing the task. Writes
 * never overlap: a round that ends while the previous write is in flight is written next (the
 * newest wins; the ones between are skipped).
 */
export function createRoundRecorder(options: RoundRecorderOptions) {
  const idleEveryMs = options.idleEveryMs ?? 60_000;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let writing: Promise<void> | null = null;
  let next: Record<string, unknown> | null = null;

  const write = async (): Promise<void> => {
    while (next) {
      const summary = next;
      next = null;
      lastWrite = options.clock.now().getTime();
      try {
        await options.store.record({ task: options.task, worker: options.worker, summary });
      } catch (error) {
        // The database may be away; the next round writes again.
        options.log?.debug({ err: error, task: options.task }, "recording the task's last round failed");
      }
    }
    writing = null;
  };

  return {
    /** Records `summary` (`busy`: the round did something). */
    round(summary: Record<string, unknown>, busy: boolean): void {
      if (!busy && options.clock.now().getTime() - lastWrite < idleEveryMs) return;
      next = summary;
      writing ??= write();
    },
    /** Resolves once the writes in flight are done (tests, shutdown). */
    async flush(): Promise<void> {
      await writing;
    },
  };
}

/** A recorded role-sync round's counters, read back from `task_status` (absent or non-numeric: 0). */
export interface RoundCounts {
  checked: number;
  added: number;
  removed: number;
  notInGuild: number;
  /** Transient and permanent errors together. */
  failed: number;
  discordCalls: number;
}

/** The counters of a role-sync round summary as `roundStatus` stored them: what the console and `guildkit status` print. */
export function roundCounts(summary: Readonly<Record<string, unknown>>): RoundCounts {
  const n = (key: string) => (typeof summary[key] === "number" ? (summary[key] as number) : 0);
  return {
    checked: n("processed"),
    added: n("added"),
    removed: n("removed"),
    notInGuild: n("notInGuild"),
    failed: n("transientErrors") + n("permanentErrors"),
    discordCalls: n("discordCalls"),
  };
}
