export { createBearerCheck } from "./bearer";
export {
  checkLiveness,
  checkReadiness,
  type LivenessReport,
  type NotReadyReason,
  PROBE_TIMEOUT_MS,
  type ReadinessReport,
  readinessStatus,
} from "./health";
export { createLogger, type Logger, REDACTED_PATHS } from "./logger";
export { createMetrics, serveMetrics } from "./metrics";
export { loadProcessSettings, loadWorkerSettings } from "./settings";
export { SHUTDOWN_DEADLINE_MS, type ShutdownOptions, shutdownSignal } from "./shutdown";
export {
  type AppStore,
  isDatabaseUnavailable,
  logConnectionEvent,
  migrateWhenReachable,
  openStore,
} from "./store";
