import { createInTransaction, linkInTransaction } from "./account-writes";
import { type CallbackParams, consumeNonce, openCallback, verifyState } from "./callback";
import { safeRedirectPath } from "./callback-path";
import { type FlowContext, type FlowStart, startFlow, type Trace, toProfile } from "./context";
import { isAsciiEmail } from "./email";
import {
  AccountLinkConflictError,
  MemberNotFoundError,
  type OAuthFlow,
  UnverifiedEmailError,
} from "./errors";
import { record, traced } from "./flow-events";
import { settleGrant } from "./grant-keeping";
import type { DiscordProfile, IoOptions } from "./ports";
import type { SignupIdentity } from "./state-token";

/** What `onLoginComplete` receives: the member to sign in and where to send them. */
export interface LoginCompletion {
  memberId: string;
  discordUserId: string;
  /** Already passed through {@link safeRedirectPath}. */
  postLoginPath: string;
  /** True when the member was created by this login. */
  created: boolean;
}

/** What `onSignupConfirm` receives: show a confirmation page that posts `signupToken` back. */
export interface SignupConfirmation {
  /** Pass to `confirmSignup` (single-use, 10 minutes, bound to the same browser). Never log it. */
  signupToken: string;
  /** The Discord identity, with the verified email in `normalizeEmail` form. */
  identity: SignupIdentity;
  /** The identity provider, as in the seed's hook (`"discord"`). */
  provider: "discord";
  /** Already passed through {@link safeRedirectPath}. */
  postLoginPath: string;
  expiresAt: Date;
}

/** Finishes a login (sets the host's session); its return value is handed back to the caller. */
export type LoginCompleteHook<TResult> = (
  completion: LoginCompletion,
  opts: IoOptions,
) => Promise<TResult> | TResult;

/** Shows the signup confirmation (when no member matched); its return value is handed back. */
export type SignupConfirmHook<TResult> = (
  confirmation: SignupConfirmation,
  opts: IoOptions,
) => Promise<TResult> | TResult;

/** Result of a login callback or a signup confirmation. */
export type LoginOutcome<TResult> =
  | {
      status: "signed_in";
      memberId: string;
      discordUserId: string;
      created: boolean;
      postLoginPath: string;
      /** What `onLoginComplete` returned. */
      result: TResult;
    }
  | {
      status: "signup_pending";
      discordUserId: string;
      postLoginPath: string;
      /** What `onSignupConfirm` returned. */
      result: TResult;
    };

/** The hooks a host application provides. */
export interface LoginHooks<TResult> {
  onLoginComplete: LoginCompleteHook<TResult>;
  onSignupConfirm: SignupConfirmHook<TResult> | undefined;
}

/** Start a login; the post-login path is checked now and again at the callback. */
export function startLogin(
  ctx: FlowContext,
  input: { postLoginPath?: string | null; browserBinding?: string | null },
  opts: IoOptions = {},
): Promise<FlowStart> {
  return startFlow(
    ctx,
    "login",
    { postLoginPath: safeRedirectPath(input.postLoginPath ?? "/") },
    input.browserBinding,
    opts,
  );
}

/**
 * Finish a login: check the callback and that OAuth is still configured, spend the nonce, exchange the
 * code with PKCE, then resolve the member by Discord id, then by verified email (all-ASCII addresses
 * only); when none matches, hand over to `onSignupConfirm`, or create the member when no hook is set.
 * An unverified email never matches nor creates.
 */
export async function completeLogin<TResult>(
  ctx: FlowContext,
  hooks: LoginHooks<TResult>,
  input: { params: CallbackParams; browserBinding: string | null | undefined },
  opts: IoOptions = {},
): Promise<LoginOutcome<TResult>> {
  const trace: Trace = { memberId: null, discordUserId: null };
  return traced(ctx, "login", trace, opts, async () => {
    const { state, binding, identity } = await openCallback(
      ctx,
      { flow: "login", params: input.params, browserBinding: input.browserBinding, trace },
      opts,
    );
    let keptFor: { memberId: string; discordUserId: string } | null = null;
    try {
      const outcome = await resolveMember(ctx, hooks, {
        flow: "login",
        profile: toProfile(identity),
        emailMissing: (identity.email ?? "").trim() === "",
        postLoginPath: safeRedirectPath(state.postLoginPath),
        browserBinding: binding.value,
        trace,
        opts,
      });
      // A pending signup cannot carry the tokens (its token is signed, not sealed): they are revoked.
      if (outcome.status === "signed_in")
        keptFor = { memberId: outcome.memberId, discordUserId: identity.id };
      return outcome;
    } finally {
      await settleGrant(ctx, identity.grant, keptFor, opts);
    }
  });
}

/**
 * Confirm a signup offered through `onSignupConfirm`: verify the signup token (single-use, 10 minutes,
 * same browser), then resolve again (someone may have linked or created the account meanwhile) and
 * create the member when still none matches.
 */
export async function confirmSignup<TResult>(
  ctx: FlowContext,
  hooks: LoginHooks<TResult>,
  input: { signupToken: string | null | undefined; browserBinding: string | null | undefined },
  opts: IoOptions = {},
): Promise<LoginOutcome<TResult>> {
  const trace: Trace = { memberId: null, discordUserId: null };
  return traced(ctx, "signup", trace, opts, async () => {
    const { state, binding } = await verifyState(ctx, input.signupToken, "signup", input.browserBinding);
    trace.discordUserId = state.identity.discordUserId;
    await consumeNonce(ctx, state, "signup", opts);
    return resolveMember(
      ctx,
      { ...hooks, onSignupConfirm: undefined },
      {
        flow: "signup",
        profile: { ...state.identity },
        emailMissing: false,
        postLoginPath: safeRedirectPath(state.postLoginPath),
        browserBinding: binding.value,
        trace,
        opts,
      },
    );
  });
}

interface Resolution {
  flow: OAuthFlow;
  profile: DiscordProfile;
  /** Discord shared no address at all (as opposed to an unverified one). */
  emailMissing: boolean;
  postLoginPath: string;
  browserBinding: string;
  trace: Trace;
  opts: IoOptions;
}

async function resolveMember<TResult>(
  ctx: FlowContext,
  hooks: LoginHooks<TResult>,
  r: Resolution,
): Promise<LoginOutcome<TResult>> {
  const { flow, profile, opts } = r;
  const discordUserId = profile.discordUserId;
  // Two rounds: a create that loses a race with a concurrent login resolves again and finds the winner.
  for (let round = 0; round < 2; round++) {
    const byDiscordId = await ctx.members.findByDiscordUserId({ discordUserId }, opts);
    if (byDiscordId !== null) return signIn(ctx, hooks, r, byDiscordId.memberId, "discord_user_id");
    if (profile.email === null) {
      throw new UnverifiedEmailError(r.emailMissing ? "missing" : "unverified", { flow, discordUserId });
    }
    // An address with a non-ASCII character is never matched (it could be a look-alike): signup instead.
    const byEmail = isAsciiEmail(profile.email)
      ? await ctx.members.findByVerifiedEmail({ email: profile.email }, opts)
      : null;
    if (byEmail !== null) {
      if (byEmail.discordUserId !== null && byEmail.discordUserId !== discordUserId) {
        throw new AccountLinkConflictError("member_linked_to_other_discord_account", { flow, discordUserId });
      }
      return signIn(ctx, hooks, r, byEmail.memberId, "email");
    }
    if (hooks.onSignupConfirm !== undefined) return offerSignup(ctx, hooks.onSignupConfirm, r, profile.email);
    const created = await createInTransaction(ctx, { profile: { ...profile, email: profile.email } }, opts);
    if (created.created) {
      r.trace.memberId = created.memberId;
      return complete(ctx, hooks, r, created.memberId, true, "created");
    }
    if (created.reason === "email_taken") {
      throw new AccountLinkConflictError("email_belongs_to_other_member", { flow, discordUserId });
    }
  }
  throw new AccountLinkConflictError("discord_account_linked_to_other_member", { flow, discordUserId });
}

async function signIn<TResult>(
  ctx: FlowContext,
  hooks: LoginHooks<TResult>,
  r: Resolution,
  memberId: string,
  matchedBy: "discord_user_id" | "email",
): Promise<LoginOutcome<TResult>> {
  r.trace.memberId = memberId;
  const linked = await linkInTransaction(ctx, { memberId, profile: r.profile }, r.opts);
  if (!linked.linked) {
    if (linked.reason === "member_not_found") throw new MemberNotFoundError({ flow: r.flow, memberId });
    throw new AccountLinkConflictError("discord_account_linked_to_other_member", {
      flow: r.flow,
      discordUserId: r.profile.discordUserId,
    });
  }
  return complete(ctx, hooks, r, memberId, false, matchedBy);
}

async function complete<TResult>(
  ctx: FlowContext,
  hooks: LoginHooks<TResult>,
  r: Resolution,
  memberId: string,
  created: boolean,
  matchedBy: "discord_user_id" | "email" | "created",
): Promise<LoginOutcome<TResult>> {
  const discordUserId = r.profile.discordUserId;
  await record(
    ctx,
    {
      kind: "oauth.callback",
      level: "info",
      message: created ? "Member created and signed in with Discord" : "Member signed in with Discord",
      memberId,
      discordUserId,
      data: { flow: r.flow, outcome: created ? "created" : "signed_in", matchedBy },
    },
    r.opts,
  );
  const result = await hooks.onLoginComplete(
    { memberId, discordUserId, postLoginPath: r.postLoginPath, created },
    r.opts,
  );
  return { status: "signed_in", memberId, discordUserId, created, postLoginPath: r.postLoginPath, result };
}

async function offerSignup<TResult>(
  ctx: FlowContext,
  onSignupConfirm: SignupConfirmHook<TResult>,
  r: Resolution,
  email: string,
): Promise<LoginOutcome<TResult>> {
  const identity: SignupIdentity = {
    discordUserId: r.profile.discordUserId,
    email,
    username: r.profile.username,
    globalName: r.profile.globalName,
    avatar: r.profile.avatar,
  };
  const signed = await ctx.tokens.sign(
    "signup",
    { identity, postLoginPath: r.postLoginPath },
    { browserBinding: r.browserBinding },
  );
  await record(
    ctx,
    {
      kind: "oauth.callback",
      level: "info",
      message: "No member matched the Discord account; signup confirmation offered",
      discordUserId: identity.discordUserId,
      data: { flow: r.flow, outcome: "signup_pending" },
    },
    r.opts,
  );
  const result = await onSignupConfirm(
    {
      signupToken: signed.token,
      identity,
      provider: "discord",
      postLoginPath: r.postLoginPath,
      expiresAt: signed.expiresAt,
    },
    r.opts,
  );
  return {
    status: "signup_pending",
    discordUserId: identity.discordUserId,
    postLoginPath: r.postLoginPath,
    result,
  };
}
