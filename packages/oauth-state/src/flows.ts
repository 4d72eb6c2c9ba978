import { createBrowserBindings } from "./browser-binding";
import type { CallbackParams } from "./callback";
import type { FlowContext } from "./context";
import { OAuthConfigError } from "./errors";
import { refusalLog } from "./flow-events";
import { completeLink, type FlowStart, type LinkCompleted, type LinkOutcome, startLink } from "./link-flow";
import { confirmReplace } from "./link-replace";
import {
  completeLogin,
  confirmSignup,
  type LoginCompleteHook,
  type LoginHooks,
  type LoginOutcome,
  type SignupConfirmHook,
  startLogin,
} from "./login-flow";
import type { GuildJoiner, MemberGrantClient, MemberTokenStore } from "./member-token-ports";
import type {
  AccountTransactions,
  Clock,
  DiscordIdentityProvider,
  EventLog,
  EventLogEntry,
  IoOptions,
  MemberAccounts,
  NonceStore,
  OAuthClientSource,
} from "./ports";
import { purgeExpiredNonces } from "./purge";
import { createStateTokens } from "./state-token";

/** Options of {@link createOAuthFlows}. */
export interface OAuthFlowsOptions<TResult> {
  /**
   * HS256 secret for state tokens, at least 32 bytes (a process setting, not a database one). The keys
   * that MAC browser bindings and derive PKCE verifiers are derived from it (HKDF, one label each).
   */
  stateSecret: string | Uint8Array;
  /** Secrets still accepted on verify while rotating `stateSecret`. */
  previousStateSecrets?: ReadonlyArray<string | Uint8Array>;
  /** `iss` of state tokens; default `guildkit/oauth-state`. Give each deployment sharing a secret its own. */
  issuer?: string;
  /** Absolute callback URLs registered on the Discord application. */
  redirectUris: { link: string; login: string };
  /** Discord's authorization page; default `https://discord.com/oauth2/authorize` (the simulator's in tests). */
  authorizeUrl?: string;
  /** The OAuth2 application, loaded per use; `null` means not configured. */
  client: OAuthClientSource;
  identity: DiscordIdentityProvider;
  /** The member side: reads, and the link and create writes `transactions` binds. */
  members: MemberAccounts;
  /**
   * Runs a link's or a creation's writes in one transaction with the member's sync due mark (the SQL
   * stores: `store.transaction` binding `oauth.memberAccounts` and `roleSync.queue`).
   */
  transactions: AccountTransactions;
  nonces: NonceStore;
  eventLog: EventLog;
  clock: Clock;
  /** Finishes a login: the host signs the member in and returns what the caller should answer. */
  onLoginComplete: LoginCompleteHook<TResult>;
  /** Shows a signup confirmation when no member matched; without it the member is created directly. */
  onSignupConfirm?: SignupConfirmHook<TResult>;
  /**
   * Called when writing to the event log fails (the flow's outcome is unchanged). `entry` is the entry
   * being recorded; the write that failed may be a count of collapsed refusals written just before it.
   */
  onEventLogFailure?: (error: unknown, entry: EventLogEntry) => void;
  /**
   * Keeps the member's grant when the OAuth client asks for extra scopes (`OAuthClient.scopes`): the
   * identity provider hands the tokens over, the flows save them in `store` for the member they linked
   * or signed in, and revoke them through `client` when the flow ended without one (a refusal, a pending
   * signup or replacement). Without it the provider revokes the tokens at once, as before.
   */
  memberTokens?: { store: MemberTokenStore; client: MemberGrantClient };
  /** Adds a member whose kept grant holds `guilds.join` to the guild, once linked (see `GuildJoiner`). */
  guildJoiner?: GuildJoiner;
}

/** The login and link flows, with no HTTP inside: the caller maps results and errors to responses. */
export interface OAuthFlows<TResult> {
  /** Whether login with Discord is configured (show the login button only when true). */
  isEnabled(opts?: IoOptions): Promise<boolean>;
  /**
   * Start a login. Reuses `browserBinding` when this server issued it and it has the flow's chain left
   * (so two tabs can sign in at once); any other value is replaced by a fresh binding.
   *
   * @throws OAuthNotConfiguredError
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
   */
  startLogin(
    input: { postLoginPath?: string | null; browserBinding?: string | null },
    opts?: IoOptions,
  ): Promise<FlowStart>;
  /**
   * Handle `GET /login/discord/callback`.
   *
   * @throws StateTokenError, AuthorizationDeniedError, MissingCodeError, OAuthNotConfiguredError,
   *   IdentityProviderError, UnverifiedEmailError, AccountLinkConflictError, MemberNotFoundError
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-redirect-url-example
   */
  completeLogin(
    input: { params: CallbackParams; browserBinding: string | null | undefined },
    opts?: IoOptions,
  ): Promise<LoginOutcome<TResult>>;
  /**
   * Create the member offered by `onSignupConfirm`, once the person confirms.
   *
   * @throws StateTokenError, AccountLinkConflictError
   */
  confirmSignup(
    input: { signupToken: string | null | undefined; browserBinding: string | null | undefined },
    opts?: IoOptions,
  ): Promise<LoginOutcome<TResult>>;
  /**
   * Start linking a Discord account to the signed-in member `memberId`.
   *
   * @throws OAuthNotConfiguredError
   * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
   */
  startLink(
    input: { memberId: string; returnPath?: string | null; browserBinding?: string | null },
    opts?: IoOptions,
  ): Promise<FlowStart>;
  /**
   * Handle `GET /discord/callback` for the signed-in member `memberId` (`null` when the request has no
   * session: refused with `SessionRequiredError`, and written to the event log like every refusal).
   * A member linked to another Discord account gets `replace_pending` with a confirmation to show;
   * nothing is written until `confirmReplace`.
   *
   * @throws SessionRequiredError, StateTokenError, AuthorizationDeniedError, MissingCodeError,
   *   OAuthNotConfiguredError, IdentityProviderError, AccountLinkConflictError, MemberNotFoundError
   */
  completeLink(
    input: { params: CallbackParams; browserBinding: string | null | undefined; memberId: string | null },
    opts?: IoOptions,
  ): Promise<LinkOutcome>;
  /**
   * Replace the member's Discord account as the confirmation of a `replace_pending` link offered.
   *
   * @throws SessionRequiredError, StateTokenError, AccountLinkConflictError (`member_link_changed`,
   *   `discord_account_linked_to_other_member`), MemberNotFoundError
   */
  confirmReplace(
    input: {
      replaceToken: string | null | undefined;
      browserBinding: string | null | undefined;
      memberId: string | null;
    },
    opts?: IoOptions,
  ): Promise<LinkCompleted>;
  /**
   * Delete spent nonces whose tokens have expired (schedule it, e.g. every few minutes, or run
   * `createExpiredStatePurge`, which purges sessions too).
   */
  purgeExpiredNonces(opts?: IoOptions): Promise<number>;
}

/**
 * Creates the OAuth flows over their ports.
 *
 * @throws OAuthConfigError when the state secret is shorter than 32 bytes or a redirect URI is not an
 *   absolute http(s) URL.
 */
export function createOAuthFlows<TResult>(options: OAuthFlowsOptions<TResult>): OAuthFlows<TResult> {
  for (const key of ["link", "login"] as const) checkRedirectUri(options.redirectUris?.[key], key);
  const secrets = { secret: options.stateSecret, previousSecrets: options.previousStateSecrets ?? [] };
  const ctx: FlowContext = {
    tokens: createStateTokens({ ...secrets, issuer: options.issuer, clock: options.clock }),
    bindings: createBrowserBindings({ ...secrets, clock: options.clock }),
    clock: options.clock,
    client: options.client,
    identity: options.identity,
    members: options.members,
    transactions: options.transactions,
    nonces: options.nonces,
    eventLog: refusalLog(options.eventLog, options.clock),
    redirectUris: { link: options.redirectUris.link, login: options.redirectUris.login },
    authorizeUrl: options.authorizeUrl,
    onEventLogFailure: options.onEventLogFailure,
    memberTokens: options.memberTokens,
    guildJoiner: options.guildJoiner,
  };
  const hooks: LoginHooks<TResult> = {
    onLoginComplete: options.onLoginComplete,
    onSignupConfirm: options.onSignupConfirm,
  };
  return {
    async isEnabled(opts) {
      const client = await ctx.client.load(opts);
      return client !== null && client.clientId.length > 0;
    },
    startLogin: (input, opts) => startLogin(ctx, input, opts),
    completeLogin: (input, opts) => completeLogin(ctx, hooks, input, opts),
    confirmSignup: (input, opts) => confirmSignup(ctx, hooks, input, opts),
    startLink: (input, opts) => startLink(ctx, input, opts),
    completeLink: (input, opts) => completeLink(ctx, input, opts),
    confirmReplace: (input, opts) => confirmReplace(ctx, input, opts),
    purgeExpiredNonces: (opts) => purgeExpiredNonces(ctx.nonces, ctx.clock, opts),
  };
}

function checkRedirectUri(value: unknown, key: "link" | "login"): void {
  let ok = false;
  if (typeof value === "string") {
    try {
      const url = new URL(value);
      ok = (url.protocol === "https:" || url.protocol === "http:") && url.hash === "";
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new OAuthConfigError(
      `redirectUris.${key} must be an absolute http(s) URL registered on the Discord application`,
      { code: "invalid_option", option: `redirectUris.${key}` },
    );
  }
}
