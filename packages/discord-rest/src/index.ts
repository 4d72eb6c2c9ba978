/**
 * @guildkit/discord-rest — Discord REST, OAuth2 and CDN client (undici + bottleneck) with a shared
 * request budget, Discord's bucket headers honoured, typed errors and zod-validated results.
 *
 * @packageDocumentation
 */

export type { Clock, Scheduler } from "@guildkit/core";
export { type BackoffOptions, backoffDelay } from "./backoff";
export {
  BAN_GUARD_DEFAULTS,
  type BanGuardOptions,
  type BanGuardSnapshot,
  type BanGuardState,
  createMemoryInvalidRequestLedger,
  createRedisInvalidRequestLedger,
  type InvalidRequestLedger,
  type MemoryInvalidRequestLedgerOptions,
  type RedisInvalidRequestLedgerOptions,
} from "./ban-guard";
export {
  announcedExhausted,
  applyHeaders,
  applyRateLimited,
  availableSlots,
  type BucketRegistry,
  type BucketRegistryOptions,
  type BucketReservation,
  type BucketSnapshot,
  type BucketState,
  createBucketRegistry,
} from "./bucket";
export {
  type AvatarFormat,
  type AvatarPath,
  type AvatarRequest,
  buildAvatarPath,
  defaultAvatarIndex,
  isValidImageSize,
} from "./cdn";
export {
  type AvatarImage,
  createDiscordRest,
  type DiscordRest,
  type DiscordRestOptions,
  type ExecuteWebhookInput,
  type GuildMemberPage,
} from "./client";
export {
  DEFAULT_USER_AGENT,
  DISCORD_API_BASE_URL,
  DISCORD_CDN_BASE_URL,
  type SignalOptions,
  VERSION,
} from "./defaults";
export * from "./doctor";
export {
  DiscordAbortError,
  DiscordApiError,
  DiscordBanGuardError,
  type DiscordErrorFields,
  DiscordNetworkError,
  DiscordOAuthError,
  DiscordRateLimitError,
  type DiscordRequestError,
  DiscordResponseError,
  DiscordTimeoutError,
  DiscordWebhookUrlError,
  type RateLimitScope,
  type WebhookUrlErrorReason,
} from "./errors";
export {
  createEventLogReporter,
  type EventLogReporter,
  type EventLogReporterOptions,
  type ReporterProcessLog,
} from "./event-log-reporter";
export { explainDiscordError, flattenFormErrors } from "./explain";
export {
  parseRateLimitBody,
  parseRateLimitHeaders,
  type RateLimitBody,
  type RateLimitInfo,
  type ResponseHeaders,
  retryAfterOf429,
  scopeOf429,
} from "./headers";
export {
  createDiscordIdentityProvider,
  type DiscordClientCredentials,
  type DiscordCredentialsSource,
  type DiscordIdentityProviderOptions,
} from "./identity-provider";
export {
  type BottleneckLimiterOptions,
  type BottleneckRedisConnection,
  type BottleneckRedisOptions,
  bottleneckSettings,
  createBottleneckLimiter,
  DEFAULT_CLUSTER_MARGIN,
  DEFAULT_MARGIN,
  type RateLimiter,
  type RedisClientLike,
  type RedisConnectionOptions,
  startSpacingMs,
} from "./limiter";
export { createDiscordMemberGrantClient, type DiscordMemberGrantClientOptions } from "./member-grant-client";
export {
  type AuthorizeUrlInput,
  createDiscordOAuth,
  DISCORD_AUTHORIZE_URL,
  type DiscordOAuth,
  type DiscordOAuthOptions,
  type DiscordOAuthUser,
  type DiscordTokenSet,
} from "./oauth";
export type {
  DiscordBudgetWaitEvent,
  DiscordRateLimitedEvent,
  DiscordResponseEvent,
  DiscordRestObserver,
  DiscordRetryEvent,
} from "./observer";
export type { DiscordRestLogger } from "./pipeline-config";
export {
  createRedisChannelBudget,
  type RedisChannelBudgetOptions,
  type SharedChannelBudget,
} from "./redis-channel-budget";
export {
  createRoleConnectionClient,
  type RoleConnectionClientAdapter,
  type RoleConnectionEndpoints,
  type RoleConnectionMetadataRecord,
  type RoleConnectionPush,
  roleConnectionRoutes,
  type UserRoleConnection,
  type UserRoleConnectionBody,
} from "./role-connection-endpoints";
export {
  AvatarNotFoundError,
  createRoleGateway,
  type RoleGateway,
  type RoleGatewayChange,
} from "./role-gateway";
export { type HttpMethod, type Route, routes } from "./route";
export { createStartGuard, type StartGuard, type StartGuardOptions } from "./start-guard";
export { type DiscordRestStats, INVALID_REQUEST_WINDOW_MS } from "./stats";
export { DISCORD_WEBHOOK_HOSTS, parseWebhookUrl, type WebhookCredentials } from "./webhook-url";
