export { createBearerCheck } from "./bearer";
export { createLogger, type Logger, REDACTED_PATHS } from "./logger";
export { createMetrics, serveMetrics } from "./metrics";
export { loadProcessSettings, loadWorkerSettings } from "./settings";
export { shutdownSignal } from "./shutdown";
export { type AppStore, openStore } from "./store";
