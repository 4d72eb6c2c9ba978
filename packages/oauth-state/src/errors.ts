/**
 * The OAuth flows this package runs. `signup` is the confirmation step after a login found no member;
 * `replace` the confirmation step after a link found the member linked to another Discord account.
 */
export type OAuthFlow = "link" | "login" | "signup" | "replace";

/**
 * Base class of every failure a flow reports. `message` is safe to show to the person in the
 * browser (it never contains a token, a code or a secret); `code` is stable for programs.
 */
export class OAuthFlowError extends Error {
  override readonly name: string = "OAuthFlowError";
  /** Stable, machine-readable failure code (snake_case). */
  readonly code: string;
  /** The flow that failed, or `null` when it could not be told. */
  readonly flow: OAuthFlow | null;

  constructor(message: string, opts: { code: string; flow: OAuthFlow | null; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = opts.code;
    this.flow = opts.flow;
  }
}

/** Why a state token was refused. */
export type StateTokenReason =
  | "missing"
  | "malformed"
  | "bad_signature"
  | "expired"
  | "wrong_kind"
  | "wrong_issuer"
  | "issued_in_future"
  | "replayed"
  | "browser_mismatch"
  | "member_mismatch";

const STATE_MESSAGES: Record<StateTokenReason, string> = {
  missing: "The sign-in request carries no state. Start again from the login page.",
  malformed: "The sign-in state is not one this site issued. Start again from the login page.",
  bad_signature:
    "The sign-in state failed its signature check (it was altered). Start again from the login page.",
  expired:
    "The sign-in state expired (linking allows 1 minute, login 5 minutes, signup confirmation 10 minutes, confirming a Discord account replacement 5 minutes). Start again.",
  wrong_kind:
    "The sign-in state belongs to a different step of the sign-in. Start again from the login page.",
  wrong_issuer: "The sign-in state was issued by another deployment. Start again from the login page.",
  issued_in_future:
    "The sign-in state is dated in the future (a server clock is wrong by more than a minute). Start again; if it keeps happening, tell the site's administrator.",
  replayed: "This sign-in link was already used. Start again from the login page.",
  browser_mismatch:
    "This sign-in was started in another browser, or this browser blocks cookies. Start again in this browser.",
  member_mismatch:
    "This account-linking request was started by a different signed-in member. Sign in as that member, or start again.",
};

/**
 * A state token (the OAuth `state` parameter or the signup-confirmation token) was refused.
 * Nothing was written.
 */
export class StateTokenError extends OAuthFlowError {
  override readonly name = "StateTokenError";
  /** What was wrong with the token. */
  readonly reason: StateTokenReason;

  constructor(reason: StateTokenReason, opts: { flow: OAuthFlow | null; cause?: unknown }) {
    super(STATE_MESSAGES[reason], { code: `state_${reason}`, flow: opts.flow, cause: opts.cause });
    this.reason = reason;
  }
}

/**
 * Discord sent the person back with an `error` instead of a `code` — usually `access_denied`, when they
 * pressed "Cancel" on the authorization page. Nothing was written.
 */
export class AuthorizationDeniedError extends OAuthFlowError {
  override readonly name = "AuthorizationDeniedError";
  /** The OAuth `error` parameter as received (limited to `[a-z_]`, at most 64 characters). */
  readonly error: string;

  constructor(error: string, opts: { flow: OAuthFlow | null }) {
    super(
      error === "access_denied"
        ? "Discord authorization was cancelled, so nothing was changed. Start again to connect your Discord account."
        : `Discord refused the authorization (${error}), so nothing was changed. Start again, or contact the site's administrator.`,
      { code: "authorization_denied", flow: opts.flow },
    );
    this.error = error;
  }
}

/** The callback carried a valid state but no authorization `code`. Nothing was written. */
export class MissingCodeError extends OAuthFlowError {
  override readonly name = "MissingCodeError";

  constructor(opts: { flow: OAuthFlow | null }) {
    super("Discord sent no authorization code back. Start again from the login page.", {
      code: "missing_code",
      flow: opts.flow,
    });
  }
}

/** How the identity provider failed at the token exchange. */
export type IdentityProviderFailure = "timeout" | "unavailable" | "rejected" | "aborted" | "failed";

/**
 * Exchanging the authorization code (or reading the Discord user) failed: Discord answered 5xx, timed
 * out, refused the code, or the request was aborted. Nothing was written to the member; the state's
 * nonce is spent, so the person starts again.
 */
export class IdentityProviderError extends OAuthFlowError {
  override readonly name = "IdentityProviderError";
  /** Which kind of failure. */
  readonly reason: IdentityProviderFailure;
  /** HTTP status Discord answered with, or `null` (timeout, network error). */
  readonly status: number | null;
  /** True when trying again later may succeed (5xx, timeouts, 429). */
  readonly retryable: boolean;

  constructor(
    reason: IdentityProviderFailure,
    opts: { flow: OAuthFlow | null; status: number | null; retryable: boolean; cause?: unknown },
  ) {
    const messages: Record<IdentityProviderFailure, string> = {
      timeout: "Discord did not answer in time, so nothing was changed. Try again in a moment.",
      unavailable: "Discord is unavailable right now, so nothing was changed. Try again in a moment.",
      rejected:
        "Discord refused the authorization code, so nothing was changed. Start again from the login page.",
      aborted: "The sign-in was interrupted, so nothing was changed. Start again from the login page.",
      failed: "Discord's answer could not be used, so nothing was changed. Try again in a moment.",
    };
    super(messages[reason], { code: "identity_provider_failed", flow: opts.flow, cause: opts.cause });
    this.reason = reason;
    this.status = opts.status;
    this.retryable = opts.retryable;
  }
}

/**
 * The Discord account has no verified email, so it can neither be matched to a member by email nor
 * create one. Nothing was written.
 */
export class UnverifiedEmailError extends OAuthFlowError {
  override readonly name = "UnverifiedEmailError";
  /** `unverified`: Discord says the address is not verified; `missing`: Discord gave no address. */
  readonly reason: "unverified" | "missing";
  /** The Discord account's user id. */
  readonly discordUserId: string;

  constructor(reason: "unverified" | "missing", opts: { flow: OAuthFlow | null; discordUserId: string }) {
    super(
      reason === "unverified"
        ? "Your Discord account's email address is not verified. Verify it in Discord (User Settings → My Account), then sign in again."
        : "Discord did not share an email address for your account, so no member can be found or created. Sign in again and allow the email permission.",
      { code: "email_unverified", flow: opts.flow },
    );
    this.reason = reason;
    this.discordUserId = opts.discordUserId;
  }
}

/** Why a Discord account could not be linked. */
export type AccountLinkConflict =
  | "discord_account_linked_to_other_member"
  | "member_linked_to_other_discord_account"
  | "email_belongs_to_other_member"
  | "member_link_changed";

const CONFLICT_MESSAGES: Record<AccountLinkConflict, string> = {
  discord_account_linked_to_other_member:
    "This Discord account is already linked to another member. Sign in as that member and unlink it there first, or use another Discord account.",
  member_linked_to_other_discord_account:
    "The member with this email address is already linked to a different Discord account. Sign in with that Discord account instead.",
  email_belongs_to_other_member:
    "A member with this email address already exists. Sign in to it another way, then link your Discord account from there.",
  member_link_changed:
    "Your Discord link changed since this replacement was offered, so nothing was changed. Start linking again.",
};

/** A Discord account and a member could not be linked because one is linked elsewhere. Nothing was written. */
export class AccountLinkConflictError extends OAuthFlowError {
  override readonly name = "AccountLinkConflictError";
  /** Which side is already linked elsewhere. */
  readonly reason: AccountLinkConflict;
  /** The Discord account's user id. */
  readonly discordUserId: string;

  constructor(reason: AccountLinkConflict, opts: { flow: OAuthFlow | null; discordUserId: string }) {
    super(CONFLICT_MESSAGES[reason], { code: "account_link_conflict", flow: opts.flow });
    this.reason = reason;
    this.discordUserId = opts.discordUserId;
  }
}

/** The member a link was for no longer exists (deleted during the flow). Nothing was written. */
export class MemberNotFoundError extends OAuthFlowError {
  override readonly name = "MemberNotFoundError";
  /** The member id the flow was for. */
  readonly memberId: string;

  constructor(opts: { flow: OAuthFlow | null; memberId: string }) {
    super("Your member account no longer exists. Sign in again.", {
      code: "member_not_found",
      flow: opts.flow,
    });
    this.memberId = opts.memberId;
  }
}

/**
 * Linking needs a signed-in member and the request came without one (a link start or callback with no
 * session, or an expired one). Nothing was written.
 */
export class SessionRequiredError extends OAuthFlowError {
  override readonly name = "SessionRequiredError";

  constructor(opts: { flow: OAuthFlow | null }) {
    super("Sign in first, then link your Discord account.", { code: "session_required", flow: opts.flow });
  }
}

/** Login with Discord is not configured (no client id or secret). The login button should be hidden. */
export class OAuthNotConfiguredError extends OAuthFlowError {
  override readonly name = "OAuthNotConfiguredError";

  constructor(opts: { flow: OAuthFlow | null }) {
    super(
      "Login with Discord is not configured on this site. An administrator must set the Discord client id and secret.",
      { code: "oauth_not_configured", flow: opts.flow },
    );
  }
}

/** The options given to a factory are unusable (for example a state secret shorter than 32 bytes). */
export class OAuthConfigError extends Error {
  override readonly name = "OAuthConfigError";
  /** Stable code: `invalid_state_secret` or `invalid_option`. */
  readonly code: "invalid_state_secret" | "invalid_option";
  /** The option at fault. */
  readonly option: string;

  constructor(message: string, opts: { code: "invalid_state_secret" | "invalid_option"; option: string }) {
    super(message);
    this.code = opts.code;
    this.option = opts.option;
  }
}

/**
 * A form posted to an OAuth route is larger than the route accepts (16 KiB by default). Refused
 * before the body was read in full; nothing was written.
 */
export class RequestBodyTooLargeError extends OAuthFlowError {
  override readonly name = "RequestBodyTooLargeError";
  /** The limit, in bytes. */
  readonly limitBytes: number;

  constructor(opts: { flow: OAuthFlow | null; limitBytes: number }) {
    super(
      `The form is larger than this page accepts (${Math.floor(opts.limitBytes / 1024)} KiB), so nothing was changed. Start again.`,
      { code: "body_too_large", flow: opts.flow },
    );
    this.limitBytes = opts.limitBytes;
  }
}
