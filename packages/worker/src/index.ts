/**
 * The guildkit worker as a library: its tasks (role sync, webhook delivery, the purges), the
 * supervisor that keeps them running, the process wiring every host needs (store, logger, metrics,
 * health, shutdown), and the `guildkit` command line.
 *
 * @packageDocumentation
 */
export { createBearerCheck } from "./bearer";
export {
  CliEnvironmentError,
  CliError,
  CliSettingsError,
  CliUnavailableError,
  CliUsageError,
} from "./commands/errors";
export { type CliIo, EXIT, processIo } from "./commands/io";
export { type CliCommand, createProgram, type ProgramOptions } from "./commands/program";
export type { WorkerContext, WorkerTask } from "./context";
export { createDatabaseClock, type DatabaseClock, type DatabaseClockOptions } from "./database-clock";
export { createGuildJoiner, type GuildJoinerOptions, guildJoinErrorOf } from "./guild-join";
export {
  checkLiveness,
  checkReadiness,
  type LivenessReport,
  type NotReadyReason,
  PROBE_TIMEOUT_MS,
  type ReadinessReport,
  readinessStatus,
} from "./health";
export {
  createLinkedRoles,
  createLinkedRolesTask,
  type LinkedRoles,
  type LinkedRolesDeps,
  type LinkedRolesLoad,
  type LinkedRolesOptions,
  linkedRolesTask,
} from "./linked-roles";
export { createLogger, type Logger, REDACTED_PATHS } from "./logger";
export {
  createConfiguredGrantClient,
  createMemberTokenTask,
  createStoreMemberTokens,
  type MemberTokenStoreParts,
  type MemberTokenTaskOptions,
  memberTokenTask,
  withRoleConnectionsDue,
} from "./member-tokens";
export { createMetrics, serveMetrics } from "./metrics";
export { createOAuthStatePurgeTask, oauthStatePurgeTask } from "./oauth";
export {
  type CommandOutput,
  formatPlan,
  formatSummary,
  progressLine,
  runReconcileCommand,
} from "./reconcile-command";
export {
  createRelay,
  discordChannelWebhooks,
  discordWebhookSink,
  jsonLinesSource,
  type Relay,
  type RelayDiscord,
  type RelayLogger,
  type RelayOptions,
  type RelayRetryOptions,
  type RelayStats,
  sinkUsername,
} from "./relay";
export { createRetentionTask, type RetentionTaskOptions, retentionTask } from "./retention";
export {
  createRoleSync,
  type ProcessLog,
  type RoleSync,
  type RoleSyncDeps,
  type RoleSyncOptions,
  registerRoleSyncMetrics,
  roleSyncTask,
  roundStatus,
} from "./role-sync";
export { type RunCliOptions, runCli } from "./run-cli";
export { type RunWorkerOptions, runWorker } from "./run-worker";
export { runSecretsRotate } from "./secrets-command";
export { loadProcessSettings, loadWorkerSettings } from "./settings";
export { SHUTDOWN_DEADLINE_MS, type ShutdownOptions, shutdownSignal } from "./shutdown";
export {
  type ConnectionEvent,
  isDatabaseUnavailable,
  logConnectionEvent,
  migrateWhenReachable,
  openStore,
  StoreNotInstalledError,
  type WorkerStore,
} from "./store";
export {
  createTaskSupervisor,
  RESTART_FIRST_DELAY_MS,
  RESTART_MAX_DELAY_MS,
  RESTART_RESET_AFTER_MS,
  type TaskSupervisor,
} from "./supervise";
export { createRoundRecorder, type RoundCounts, type RoundRecorderOptions, roundCounts } from "./task-status";
export { tasks } from "./tasks";
export {
  createWebhookWorker,
  REPAIR_FIRST_DELAY_MS,
  REPAIR_MAX_DELAY_MS,
  repairTriggersUntilDone,
  type WebhookWorker,
  type WebhookWorkerDeps,
  webhookDeliveryTask,
} from "./webhooks";
