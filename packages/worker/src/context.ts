import type { WorkerSettings } from "@guildkit/config";
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
}

/**
 * A long-running worker task (role sync, webhook delivery, …). `run` resolves after `signal`
 * aborts and the task has finished or released the item in hand.
 */
export interface WorkerTask {
  name: string;
  run(ctx: WorkerContext, signal: AbortSignal): Promise<void>;
}
