import type { WorkerTask } from "./context";

/** The tasks the worker runs. Each feature adds its task here with one line. */
export const tasks: WorkerTask[] = [];
