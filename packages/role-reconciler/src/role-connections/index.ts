/**
 * Role connections (Discord Linked Roles): the metadata schema, the mapping of entitlement rules to
 * metadata values, and the push queue's logic. Pure, like the rest of the reconciler.
 */
export {
  linkedRolesConfigSpec,
  type RoleDeliveryMode,
  roleDeliveryModeSchema,
  usesBotRoles,
  usesLinkedRoles,
} from "./config";
export {
  type DecideOptions,
  failedOutcome,
  firstStep,
  isUnauthorized,
  type PushStep,
  ROLE_CONNECTION_BACKOFF,
  ROLE_CONNECTIONS_WRITE,
} from "./decide";
export {
  type MemberScan,
  type RefreshDesiredDeps,
  type RefreshDesiredResult,
  refreshDesired,
} from "./desired";
export { LinkedRolesSettingsError, RoleConnectionSchemaError } from "./errors";
export {
  type DiscordMetadataRecord,
  defaultMetadataRecords,
  discordMetadataRecords,
  MAX_METADATA_RECORDS,
  METADATA_TYPES,
  type MetadataRecord,
  type MetadataSource,
  type MetadataType,
  metadataColumns,
  metadataFamily,
  metadataRecordSchema,
  metadataRecordsSchema,
  metadataSourceSchema,
  parseMetadataRecords,
} from "./metadata-schema";
export {
  type DesiredConnection,
  ROLE_CONNECTION_STATES,
  type RoleConnectionBody,
  type RoleConnectionClient,
  type RoleConnectionEntry,
  type RoleConnectionItem,
  type RoleConnectionOutcome,
  type RoleConnectionQueue,
  type RoleConnectionState,
} from "./ports";
export {
  createRoleConnectionPusher,
  DEFAULT_PUSHER_OPTIONS,
  type PushSummary,
  type RoleConnectionPusher,
  type RoleConnectionPusherDeps,
  type RoleConnectionPusherOptions,
} from "./push";
export type { MemberGrant, MemberTokenSource } from "./token-source";
export { isoDate, type MetadataValues, metadataFingerprint, metadataValues } from "./values";
