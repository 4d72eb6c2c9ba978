import type { WorkerSettings } from "@guildkit/config";
import type { Clock } from "@guildkit/core";
import type { Registry } from "prom-client";
import type { Logger } from "./logger";
import type { WorkerStore } from "./store";

/** What every worker task receives. */
export interface WorkerContext {
  settings: WorkerSettings;
  store: WorkerStore;
  logger: Logger;
  metrics: Registry;
  /** A unique id for this worker process (lease owner). */
  workerId: string;
  /**
   * The time leases, due times and retry waits are written in: the database server's
   * (`createDatabaseClock`), so that a worker whose own clock is off agrees with the others.
   * Absent in a context built by hand: the tasks then use `systemClock`.
   */
  clock?: Clock;
}

/**
 * A long-running worker task (role sync, webhook delivery, …). `run` resolves after `signal`
 * aborts and the task has finished or released the item in hand.
 */
export interface WorkerTask {
  name: string;
  run(ctx: WorkerContext, signal: AbortSignal): Promise<void>;
}
