/**
 * @guildkit/webhook-templates — webhook notifications fired by SQL triggers: definitions, message
 * templates, the WHEN grammar and its SQLite/Postgres compilers, trigger DDL, the delivery policy and
 * the delivery worker. Pure: no network, no database driver, no timers of its own.
 */

export {
  CHANNEL_WINDOW_MARGIN_MS,
  type ChannelBudget,
  type ChannelBudgetOptions,
  type ChannelLimit,
  createChannelBudget,
  DEFAULT_CHANNEL_LIMIT,
} from "./channel-budget";
export {
  type ColumnInfo,
  type ColumnKind,
  columnKind,
  normalizeColumns,
  resolveColumn,
  type TableColumn,
} from "./columns";
export {
  type DefinitionContext,
  type DefinitionValidation,
  MAX_MENTION_COLUMNS,
  MAX_TEMPLATE_LENGTH,
  parseWebhookDefinition,
  tableIssue,
  type ValidDefinition,
  validateWebhookDefinition,
  type WebhookDefinition,
  type WebhookDefinitionInput,
  webhookDefinitionSchema,
} from "./definition";
export {
  createWebhookDelivery,
  type DeliveryCounters,
  type DeliveryReport,
  type WebhookDelivery,
  type WebhookDeliveryOptions,
} from "./delivery";
export {
  type AttemptOutcome,
  type ClaimCandidate,
  classifySendError,
  compareIds,
  DEFAULT_RATE_LIMIT_WAIT_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type DeliveryDecision,
  decideDelivery,
  formatDuration,
  MAX_ATTEMPTS,
  MAX_GIVE_UP_AFTER_MS,
  MAX_RETRY_DELAY_MS,
  MAX_RETRY_DELAYS,
  MIN_GIVE_UP_AFTER_MS,
  MIN_RETRY_DELAY_MS,
  RETRY_SCHEDULE_MS,
  type RetryPolicy,
  selectClaimable,
  WEBHOOK_REFUSED_CODES,
} from "./delivery-policy";
export {
  assertEmbedLimits,
  type CompiledEmbed,
  checkEmbedTemplate,
  compileEmbed,
  EMBED_LIMITS,
  type Embed,
  type EmbedTemplate,
  embedSize,
  embedTemplateSchema,
  MAX_COALESCE,
  parseEmbedTemplate,
  renderedTemplates,
} from "./embed";
export {
  type DefinitionIssue,
  EmbedLimitError,
  IdentifierError,
  type IdentifierErrorReason,
  RedeliverRangeError,
  type RedeliverRangeReason,
  TemplateError,
  type TemplateErrorReason,
  WebhookDefinitionError,
  WebhookUrlError,
  type WebhookUrlErrorReason,
  WhenClauseColumnError,
  type WhenClauseColumnReason,
  type WhenClauseError,
  WhenClauseSyntaxError,
  WhenClauseTypeError,
} from "./errors";
export {
  assertIdentifier,
  assertWatchableTable,
  isSafeIdentifier,
  MAX_IDENTIFIER_LENGTH,
  quoteIdentifier,
  RESERVED_TABLES,
  type WatchableTableOptions,
} from "./identifiers";
export {
  conditionsToWhen,
  LEGACY_EVENT_COLUMN,
  LEGACY_EVENT_TABLE,
  LEGACY_TRIGGERS,
  type LegacyCondition,
  type LegacyWebhookPlan,
  type LegacyWebhookRow,
  planLegacyWebhook,
  rewriteLegacyTemplate,
} from "./legacy";
export {
  createMemoryOutbox,
  type MemoryOutbox,
  type MemoryOutboxEvent,
  type MemoryWebhook,
} from "./memory-outbox";
export {
  type BuildMessageInput,
  type BuiltMessage,
  buildWebhookMessage,
  codePointLength,
  DISCORD_CONTENT_LIMIT,
  type ExecuteWebhookBody,
  isSnowflake,
  MAX_ALLOWED_USERS,
  RENDER_CAP,
  truncateContent,
  USERNAME_MAX,
  USERNAME_MIN,
  usernameProblem,
} from "./message";
export { defaultRow, OPERATIONS, type Operation, rowsOf } from "./operation";
export {
  NOTIFY_CHANNEL,
  OUTBOX_COLUMNS,
  OUTBOX_STATES,
  OUTBOX_TABLE,
  type OutboxState,
  POSTGRES_ENQUEUE_FUNCTION,
  TRIGGER_PREFIX,
} from "./outbox-schema";
export {
  createPollingWakeups,
  DEFAULT_POLL_INTERVAL_MS,
  linkedStop,
  type OutboxWaitOptions,
  type OutboxWakeups,
  type PollingWakeupOptions,
} from "./outbox-wakeups";
export {
  type ClaimedEvent,
  type Clock,
  type Completion,
  type DeliveryWebhook,
  type EventLog,
  type EventLogEntry,
  type IoOptions,
  type Scheduler,
  WEBHOOK_SENDER_RETRIES,
  type WebhookOutbox,
  type WebhookSender,
} from "./ports";
export { type PreviewResult, type PreviewSample, previewWebhook, renderPreview } from "./preview";
export { checkPreviewSample, PREVIEW_SAMPLE_LIMITS } from "./preview-sample";
export {
  assertRedeliverRange,
  parseRedeliverRange,
  parseRedeliverTime,
  type RedeliverTarget,
} from "./redeliver";
export { parseRowJson, type RowData, type RowImage, renderValue, stringifyRowJson } from "./row-data";
export {
  classifyRowId,
  MAX_ROW_ID,
  MIN_ROW_ID,
  parseRowId,
  RowIdError,
  type RowIdErrorReason,
  toRowId,
} from "./row-id";
export {
  buildTableTriggerDdl,
  dropTableTriggerDdl,
  EVENT_COLUMNS,
  EVENT_TABLE,
  postgresTableTriggerDdl,
  sqliteTableTriggerDdl,
  storedColumns,
  TABLE_TRIGGER_PREFIX,
  type TableTriggerSpec,
  type TableTriggerWebhook,
  tableTriggerName,
  webhookIdsOfTableTrigger,
} from "./table-trigger-ddl";
export {
  type CompiledTemplate,
  checkTemplate,
  compileTemplate,
  type Placeholder,
  type TemplateContext,
  templateColumns,
} from "./template";
export {
  assertWebhookId,
  buildTriggerDdl,
  type Dialect,
  dropTriggerDdl,
  postgresEnqueueFunctionDdl,
  postgresTriggerDdl,
  sqliteRowJson,
  sqliteTriggerDdl,
  type TriggerDdl,
  type TriggerSpec,
  triggerName,
  webhookIdOfTrigger,
} from "./trigger-ddl";
export {
  CHANNEL_LOOKUP_RETRY_MS,
  type ChannelOfWebhook,
  createChannelResolver,
  type WebhookChannelLookup,
} from "./webhook-channels";
export {
  DISCORD_WEBHOOK_HOSTS,
  maskWebhookUrl,
  parseWebhookUrl,
  type WebhookTarget,
  type WebhookUrlOptions,
} from "./webhook-url";
export { analyzeWhen, checkWhen, type WhenAnalysis, type WhenContext } from "./when/analyze";
export type {
  BooleanLiteral,
  ColumnRef,
  CompareExpr,
  CompareOp,
  DistinctExpr,
  InExpr,
  IsNullExpr,
  LikeExpr,
  LogicalExpr,
  NotExpr,
  NullLiteral,
  NumberLiteral,
  Operand,
  RowRef,
  StringLiteral,
  WhenExpr,
} from "./when/ast";
export { compileWhenPostgres, type PostgresWhenOptions } from "./when/compile-postgres";
export { compileWhenSqlite } from "./when/compile-sqlite";
export { evaluateWhen, likeMatches } from "./when/evaluate";
export { MAX_IN_LIST, MAX_WHEN_DEPTH, MAX_WHEN_LENGTH, parseWhen } from "./when/parser";
export { printOperand, printWhen } from "./when/print";
