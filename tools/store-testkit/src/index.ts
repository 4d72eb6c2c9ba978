/**
 * The conformance suite every guildkit store runs on a real database, and the helpers that give
 * feature tests a fresh SQLite file or Postgres schema.
 *
 * @packageDocumentation
 */

export { FEATURE_TABLES, featureCases } from "./cases/features";
export { foundationCases } from "./cases/foundation";
export { hostMemberCases } from "./cases/host-members";
export { storeCases } from "./cases/index";
export { storeAccountTransactions } from "./cases/oauth";
export { plantWebhook } from "./cases/retention";
export { sessionCases } from "./cases/sessions";
export {
  defineStoreCases,
  type HostMembersShape,
  type StoreCaseContext,
  type StoreCases,
  type TestStoreHandle,
  type TestStoreOptions,
} from "./define";
export { HOST_USERS } from "./fixtures/host-members";
export {
  createSeedSystemDatabase,
  SEED_DISCORD_CONFIG,
  SEED_MEMBERS,
  SEED_WEBHOOKS,
  type SeedMember,
} from "./fixtures/seed-system";
export { freePort } from "./free-port";
export { runStoreConformance, type StoreConformanceOptions } from "./harness";
export { type ConfigStoreSubject, defineConfigStoreCases } from "./ports/config-store";
export { defineEventLogCases, type EventLogSubject } from "./ports/event-log";
export { defineGuildGatewayCases, type GuildGatewaySubject } from "./ports/guild-gateway";
export {
  defineMemberAccountsCases,
  type MemberAccountRow,
  type MemberAccountsSubject,
} from "./ports/member-accounts";
export {
  defineMemberTokenStoreCases,
  type MemberTokenRow,
  type MemberTokenStoreSubject,
} from "./ports/member-token-store";
export { defineNonceStoreCases, type NonceStoreSubject } from "./ports/nonce-store";
export {
  defineRoleConnectionQueueCases,
  type RoleConnectionQueueSubject,
  type RoleConnectionRowView,
} from "./ports/role-connection-queue";
export { defineRoleLedgerCases } from "./ports/role-sync-ledger";
export { defineSyncQueueCases } from "./ports/role-sync-queue";
export type { RoleSyncSubject, SyncRowView } from "./ports/role-sync-subject";
export { defineSessionStoreCases, type SessionStoreSubject } from "./ports/session-store";
export {
  defineSpeedbumpStoreCases,
  type SpeedbumpSightingView,
  type SpeedbumpStoreSubject,
} from "./ports/speedbump-store";
export {
  type DefinitionRow,
  defineWebhookDefinitionsCases,
  type WebhookDefinitionsSubject,
} from "./ports/webhook-definitions";
export { defineWebhookOutboxCases, type OutboxRow, type WebhookOutboxSubject } from "./ports/webhook-outbox";
export {
  checkPostgres,
  createPostgresTestStore,
  DEFAULT_TEST_DATABASE_URL,
  type PostgresTestAdapter,
  type PostgresTestTarget,
  postgresTestUrl,
} from "./postgres";
export {
  checkScratchClusters,
  createScratchCluster,
  SCRATCH_CLUSTER_VERSION,
  type ScratchCluster,
  type ScratchClusterSupport,
} from "./scratch-cluster";
export { TEST_SECRET_KEY, TEST_SECRET_KEY_2, testSecretBox } from "./secret-box";
export { createSqliteTestStore, type SqliteTestAdapter } from "./sqlite";
