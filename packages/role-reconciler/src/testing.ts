/**
 * `@guildkit/role-reconciler/testing` — an in-memory role-sync store for tests (of the reconciler,
 * of a host's wiring), held to the same conformance kits as the SQL stores.
 *
 * @packageDocumentation
 */

export {
  createMemoryRoleConnectionQueue,
  type MemoryRoleConnectionQueue,
  type MemoryRoleConnectionRow,
} from "./role-connections/testing/memory-queue";
export { createMemoryTokenSource, type MemoryTokenSource } from "./role-connections/testing/memory-tokens";
export {
  createOAuthTokenSource,
  type OAuthTokenClient,
  type OAuthTokenSource,
  type OAuthTokens,
} from "./role-connections/testing/oauth-tokens";
export type { MemoryMemberRow, MemorySyncRow } from "./testing/memory-rows";
export { createMemoryRoleSyncStore, type MemoryRoleSyncStore } from "./testing/memory-store";
