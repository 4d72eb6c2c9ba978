// The wiring both reference apps share. Everything but the concrete store type lives in the
// published @guildkit/worker (so a host gets it from npm); the apps import it from here.
export {
  checkLiveness,
  checkReadiness,
  createBearerCheck,
  createLogger,
  createMetrics,
  isDatabaseUnavailable,
  type LivenessReport,
  type Logger,
  loadProcessSettings,
  loadWorkerSettings,
  logConnectionEvent,
  migrateWhenReachable,
  type NotReadyReason,
  PROBE_TIMEOUT_MS,
  REDACTED_PATHS,
  type ReadinessReport,
  readinessStatus,
  SHUTDOWN_DEADLINE_MS,
  type ShutdownOptions,
  serveMetrics,
  shutdownSignal,
} from "@guildkit/worker";
export { type AppStore, openStore } from "./store";
