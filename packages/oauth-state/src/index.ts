/**
 * Login with Discord and account linking, safe by default: signed single-use state bound to the
 * browser, PKCE S256, a post-login path policy, and the link/login flows over ports.
 *
 * @packageDocumentation
 */
export { buildAuthorizeUrl, DISCORD_AUTHORIZE_URL, DISCORD_OAUTH_SCOPES } from "./authorize-url";
export {
  BROWSER_BINDING_MAX_AGE_SECONDS,
  type BrowserBindings,
  type BrowserBindingsOptions,
  createBrowserBindings,
  hashBrowserBinding,
  isBrowserBinding,
  type VerifiedBrowserBinding,
} from "./browser-binding";
export type { CallbackParams } from "./callback";
export { DEFAULT_POST_LOGIN_PATH, MAX_POST_LOGIN_PATH_LENGTH, safeRedirectPath } from "./callback-path";
export type { FlowStart } from "./context";
export { hostCookieName, type RequestHeaders, readCookie, setCookie } from "./cookies";
export { isAsciiEmail, normalizeEmail } from "./email";
export {
  type AccountLinkConflict,
  AccountLinkConflictError,
  AuthorizationDeniedError,
  IdentityProviderError,
  type IdentityProviderFailure,
  MemberNotFoundError,
  MissingCodeError,
  OAuthConfigError,
  type OAuthFlow,
  OAuthFlowError,
  OAuthNotConfiguredError,
  RequestBodyTooLargeError,
  SessionRequiredError,
  StateTokenError,
  type StateTokenReason,
  UnverifiedEmailError,
} from "./errors";
export { REFUSAL_WINDOW_SECONDS } from "./flow-events";
export { createOAuthFlows, type OAuthFlows, type OAuthFlowsOptions } from "./flows";
export { MAX_FORM_BYTES, readFormField } from "./form-body";
export { MEMBER_GRANT_SCOPES } from "./grant-keeping";
export type { LinkCompleted, LinkOutcome } from "./link-flow";
export type { ReplaceConfirmation } from "./link-replace";
export type {
  LoginCompleteHook,
  LoginCompletion,
  LoginOutcome,
  SignupConfirmation,
  SignupConfirmHook,
} from "./login-flow";
export { GuildJoinError, type GuildJoinFailure, MemberTokenError } from "./member-token-errors";
export type {
  GrantedTokens,
  GrantWrite,
  GuildJoiner,
  GuildJoinResult,
  KeptGrant,
  KeptGrantRef,
  KeptGrantStatus,
  MemberGrant,
  MemberGrantClient,
  MemberTokenSource,
  MemberTokenStore,
} from "./member-token-ports";
export {
  ACCESS_TOKEN_REFRESH_MARGIN_MS,
  createMemberTokens,
  GRANT_REFRESH_AHEAD_MS,
  type MemberTokenPass,
  type MemberTokens,
  type MemberTokensOptions,
} from "./member-tokens";
export {
  createMemoryMemberTokenStore,
  type MemoryMemberTokenStore,
  type MemoryMemberTokenStoreOptions,
} from "./memory-member-token-store";
export { createMemoryNonceStore, type MemoryNonceStore } from "./memory-nonce-store";
export { createMemorySessionStore, type MemorySessionStore } from "./memory-session-store";
export { codeChallengeS256, createCodeVerifier, deriveCodeVerifier } from "./pkce";
export type {
  AccountTransactions,
  AccountWrites,
  Clock,
  CreateMemberResult,
  DiscordIdentity,
  DiscordIdentityProvider,
  DiscordProfile,
  EventLog,
  EventLogEntry,
  ExchangedIdentity,
  IoOptions,
  LinkDiscordResult,
  LinkedAccount,
  MemberAccount,
  MemberAccounts,
  NonceStore,
  OAuthClient,
  OAuthClientSource,
  Scheduler,
  SessionStore,
  StoredSession,
  SyncDueMarker,
} from "./ports";
export {
  createExpiredStatePurge,
  type ExpiredStatePurge,
  type ExpiredStatePurgeOptions,
  PURGE_INTERVAL_MS,
  type PurgeReport,
  type PurgeTarget,
  purgeExpiredNonces,
} from "./purge";
export { isSameOrigin } from "./same-origin";
export {
  type ActiveSession,
  createSessions,
  hashSessionId,
  SESSION_COOKIE,
  SESSION_IDLE_TIMEOUT_SECONDS,
  SESSION_MAX_LIFETIME_SECONDS,
  SESSION_TOUCH_INTERVAL_SECONDS,
  type Sessions,
  type SessionsOptions,
} from "./sessions";
export {
  createStateTokens,
  DEFAULT_STATE_ISSUER,
  MAX_CLOCK_SKEW_SECONDS,
  type SignedState,
  type SignupIdentity,
  STATE_LIFETIME_SECONDS,
  STATE_TOKEN_TYPE,
  type StateKind,
  type StatePayloads,
  type StateTokens,
  type StateTokensOptions,
  type VerifiedState,
} from "./state-token";
export {
  BROWSER_BINDING_COOKIE,
  createOAuthWebHandlers,
  type OAuthWebHandlers,
  type OAuthWebHandlersOptions,
  statusOf,
} from "./web-handlers";
export { discordAccountLabel, escapeHtml } from "./web-pages";
