/**
 * Internal: the kysely code `@guildkit/store-sqlite` and `@guildkit/store-postgres` share — the
 * reference schema, the migrations, and the dialect-neutral queries behind every store port.
 * Applications use the public store packages instead.
 *
 * @packageDocumentation
 */
export {
  decodeBytes,
  decodeId,
  decodeInteger,
  decodeJson,
  decodeJsonObject,
  decodeNullableId,
  decodeTime,
  encodeJson,
  encodeTime,
} from "./codec";
export { createConfigStore } from "./config-store";
export { type Clock, type Dialect, systemClock } from "./dialect";
export { isUniqueViolation, toStoreError, UniqueViolationError } from "./errors";
export {
  createEventLog,
  type EventLogEntry,
  type EventLogQuery,
  type EventLogRecord,
  redactEventData,
  type StoreEventLog,
} from "./event-log";
export {
  FEATURE_MIGRATIONS,
  type MigrationFeature,
  resolveFeatures,
  STORE_FEATURES,
  type StoreFeature,
  StoreNotMigratedError,
  UnknownStoreFeatureError,
} from "./features";
export {
  createMemberRepository,
  encodeBytes,
  type MemberPatch,
  type MemberRecord,
  type MemberRepository,
  type NewMember,
} from "./members";
export {
  DEFAULT_MEMBERS_TABLE,
  InvalidMembersTableError,
  type MembersTable,
  type MembersTableOptions,
  resolveMembersTable,
} from "./members-table/shape";
export { MembersTableMismatchError } from "./migrations/001-members";
export {
  addColumnIfMissing,
  addIdColumn,
  columnNames,
  columnTypes,
  indexExists,
  tableExists,
} from "./migrations/ddl";
export { migrations } from "./migrations/index";
export { checkDeclaredTables, guildkitTables, UndeclaredTableError } from "./migrations/owned-tables";
export {
  createMigrationContext,
  createMigrationProvider,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  type MigrateOptions,
  MigrationError,
  type MigrationReport,
  migrateToLatest,
  migrationsFor,
  pendingMigrations,
} from "./migrations/run";
export {
  defineMigration,
  type GuildkitMigration,
  type MigrationContext,
  type MigrationDb,
} from "./migrations/types";
export {
  createOAuthMemberAccounts,
  createOAuthNonceStore,
  createOAuthSessionStore,
  createOAuthStore,
  type OAuthStore,
} from "./oauth";
export {
  createStorePorts,
  type FeaturePorts,
  type FoundationPorts,
  type StorePortOptions,
  type StorePorts,
} from "./ports";
export {
  createRetention,
  DEFAULT_RETENTION,
  type RetentionPolicy,
  type RetentionPurgeOptions,
  type RetentionReport,
  type StoreRetention,
} from "./retention";
export { createRoleConnectionQueue } from "./role-connections";
export { createRoleSyncStore, type RoleSyncStore, UnknownMemberColumnError } from "./role-sync";
export { triggerStatements as roleSyncTriggerStatements } from "./role-sync/dialect";
export * from "./schema";
export {
  type CellVisitor,
  createSecretStore,
  type SecretCell,
  SecretKeyRequiredError,
  type SecretRotationReport,
  type SecretStore,
  visitSecretCells,
} from "./secrets";
export {
  createProxyMemberStore,
  createSpeedbumpStateStore,
  createSpeedbumpStore,
  type KyselySpeedbumpStore,
} from "./speedbump";
export { type AssembleStoreOptions, assembleStore, type GuildkitStore, type StoreCore } from "./store";
export {
  createTaskStatusStore,
  InvalidTaskStatusError,
  TASK_STATUS_LIMITS,
  type TaskStatus,
  type TaskStatusStore,
} from "./task-status";
export { createMemberTokenStore, memberTokenContext } from "./tokens";
export {
  createTableGuard,
  createWebhookStore,
  DEFAULT_POLL_INTERVAL_MS,
  type DeadEvent,
  type DefinitionWriteOptions,
  type StoredWebhook,
  type TableGuard,
  type TriggerRepairReport,
  type WebhookDeliveryStats,
  type WebhookStore,
} from "./webhooks";
export { installTrigger, listTables, listTriggers } from "./webhooks/catalog";
