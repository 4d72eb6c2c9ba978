/**
 * Login with Discord and account linking, safe by default: signed single-use state bound to the
 * browser, PKCE S256, a post-login path policy, and the link/login flows over ports.
 *
 * @packageDocumentation
 */
export { buildAuthorizeUrl, DISCORD_AUTHORIZE_URL, DISCORD_OAUTH_SCOPES } from "./authorize-url";
export {
  BROWSER_BINDING_MAX_AGE_SECONDS,
  browserBindingSecondsLeft,
  createBrowserBinding,
  hashBrowserBinding,
  isBrowserBinding,
} from "./browser-binding";
export { DEFAULT_POST_LOGIN_PATH, MAX_POST_LOGIN_PATH_LENGTH, safeRedirectPath } from "./callback-path";
export type { CallbackParams } from "./context";
export { REFUSAL_WINDOW_SECONDS } from "./context";
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
  SessionRequiredError,
  StateTokenError,
  type StateTokenReason,
  UnverifiedEmailError,
} from "./errors";
export { createOAuthFlows, type OAuthFlows, type OAuthFlowsOptions } from "./flows";
export type { FlowStart, LinkCompleted } from "./link-flow";
export type {
  LoginCompleteHook,
  LoginCompletion,
  LoginOutcome,
  SignupConfirmation,
  SignupConfirmHook,
} from "./login-flow";
export { createMemoryNonceStore, type MemoryNonceStore } from "./memory-nonce-store";
export { codeChallengeS256, createCodeVerifier, deriveCodeVerifier } from "./pkce";
export type {
  Clock,
  CreateMemberResult,
  DiscordIdentity,
  DiscordIdentityProvider,
  DiscordProfile,
  EventLog,
  EventLogEntry,
  IoOptions,
  LinkDiscordResult,
  MemberAccount,
  MemberAccounts,
  NonceStore,
  OAuthClient,
  OAuthClientSource,
} from "./ports";
export {
  createStateTokens,
  DEFAULT_STATE_ISSUER,
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
  escapeHtml,
  type OAuthWebHandlers,
  type OAuthWebHandlersOptions,
  readCookie,
  statusOf,
} from "./web-handlers";
