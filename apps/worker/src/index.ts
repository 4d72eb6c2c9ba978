/** The reference worker as a library: its tasks and context (tests, benchmarks). */
export type { WorkerContext, WorkerTask } from "./context";
export { tasks } from "./tasks";
