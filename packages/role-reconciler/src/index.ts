export { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF } from "./backoff";
export { type Block, type BlockList, type BlockScope, createBlockList } from "./blocks";
export {
  type GuildSnapshot,
  type ListingResult,
  listGuildSnapshot,
  type MemberView,
  toMemberView,
} from "./bulk";
export { canStart, claimBatchSize, type LeaseSignal, leaseRemainingMs, leaseSignal } from "./claim";
export { roleSyncConfigSpec } from "./config";
export { chooseMode, GUILD_PAGE_SIZE, type ModeDecision, type ModeInput, pagesFor } from "./cost";
export {
  columnNameSchema,
  DEFAULT_ENTITLEMENT_COLUMN,
  defaultRules,
  desiredRoles,
  type EntitlementRule,
  entitledRoles,
  entitlementRuleSchema,
  entitlementRulesSchema,
  type MapRule,
  managedRoles,
  mapRuleSchema,
  type PresentRule,
  presentRuleSchema,
  type RoleEntitlement,
  resolveRules,
  ruleColumns,
  snowflakeSchema,
} from "./entitlement";
export {
  classifyDiscordError,
  type DiscordErrorFields,
  type DiscordOperation,
  EntitlementRulesError,
  type ErrorContext,
  type ErrorVerdict,
  isAbortError,
  LeaseExpiredError,
  RoleSyncSettingsError,
  readErrorFields,
} from "./errors";
export {
  type FullPassDeps,
  type FullPassOptions,
  type FullPassResult,
  fullPass,
  fullPassNeedsAttention,
} from "./full-pass";
export {
  createRoleSyncLoop,
  DEFAULT_LOOP_OPTIONS,
  type RoleSyncLoop,
  type RoleSyncLoopDeps,
  type RoleSyncLoopOptions,
  type SettingsLoad,
} from "./loop";
export {
  type AccountPlan,
  type AccountPlanInput,
  type AccountRelation,
  auditReason,
  MAX_AUDIT_REASON,
  type MemberAccounts,
  memberAccounts,
  type PlannedRoleChange,
  planAccount,
  type UnlinkCause,
} from "./plan";
export type {
  AvatarRef,
  ClaimOptions,
  Clock,
  DiscordGuildMember,
  DiscordUser,
  EventLog,
  EventLogEntry,
  Grant,
  GrantLedger,
  GuildGateway,
  IoOptions,
  LinkedMember,
  LinkedMembers,
  MemberAttributes,
  MemberProfiles,
  ProfileUpdate,
  RoleChangeRequest,
  Scheduler,
  StoredAvatar,
  StoredProfile,
  SyncEntry,
  SyncItem,
  SyncOutcome,
  SyncQueue,
  SyncState,
} from "./ports";
export { avatarOf, displayNameOf, type ProfilePlan, planProfile } from "./profile";
export {
  createRoleReconciler,
  DEFAULT_RECONCILER_OPTIONS,
  type MemberResult,
  type ModeChoice,
  type PlannedChange,
  type PlanOptions,
  type ReconcilePlan,
  type ReconcilerOptions,
  type RoleReconciler,
  type RoleReconcilerDeps,
  type RoleSyncSettings,
  type RunOptions,
  type RunSummary,
} from "./reconcile";
export * from "./role-connections/index";
export {
  bulkLookaheadMs,
  DEFAULT_SYNC_INTERVAL_HOURS,
  fullPassCutoff,
  MAX_SYNC_INTERVAL_HOURS,
  MIN_SYNC_INTERVAL_HOURS,
  nextRecheckAt,
  RECHECK_MARGIN,
  syncIntervalMs,
} from "./schedule";
export {
  createRoleSyncSettingsSource,
  type RequiredDiscordSetting,
  type RoleSyncSettingsLoad,
  type RoleSyncSettingsSource,
  requiredDiscordSettings,
} from "./settings-source";
