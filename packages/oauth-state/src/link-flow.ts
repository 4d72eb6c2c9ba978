import { buildAuthorizeUrl } from "./authorize-url";
import { safeRedirectPath } from "./callback-path";
import {
  bindingFor,
  type CallbackParams,
  consumeNonce,
  exchangeCode,
  type FlowContext,
  loadClient,
  readCallbackParams,
  record,
  rejectProviderError,
  requireCode,
  type Trace,
  toProfile,
  traced,
} from "./context";
import {
  AccountLinkConflictError,
  MemberNotFoundError,
  SessionRequiredError,
  StateTokenError,
} from "./errors";
import { codeChallengeS256, deriveCodeVerifier } from "./pkce";
import type { IoOptions } from "./ports";

/** A started flow: send the person to `authorizeUrl` and set the browser-binding cookie. */
export interface FlowStart {
  /** Discord's authorization page with `state`, PKCE S256 challenge, scopes and redirect URI. */
  authorizeUrl: string;
  /** Value of the browser-binding cookie (`HttpOnly; SameSite=Lax`; `Secure` on https). */
  browserBinding: string;
  /**
   * `Max-Age` for that cookie: `BROWSER_BINDING_MAX_AGE_SECONDS` for a fresh binding, what is left
   * of it for a reused one.
   */
  bindingMaxAgeSeconds: number;
  /** When the state expires. */
  expiresAt: Date;
}

/** A successful link. */
export interface LinkCompleted {
  memberId: string;
  discordUserId: string;
  /** Where to send the person (already passed through {@link safeRedirectPath}). */
  returnPath: string;
  /** Whether an email was stored (only a Discord-verified address is). */
  emailStored: boolean;
}

/** Start linking a Discord account to the signed-in member. */
export async function startLink(
  ctx: FlowContext,
  input: { memberId: string; returnPath?: string | null; browserBinding?: string | null },
  opts: IoOptions = {},
): Promise<FlowStart> {
  const client = await loadClient(ctx, "link", opts);
  const { browserBinding, bindingMaxAgeSeconds } = bindingFor(ctx, input.browserBinding, "link");
  const signed = await ctx.tokens.sign(
    "link",
    { memberId: input.memberId, returnPath: safeRedirectPath(input.returnPath ?? "/") },
    { browserBinding },
  );
  const verifier = deriveCodeVerifier({ browserBinding, nonce: signed.nonce });
  return {
    authorizeUrl: buildAuthorizeUrl({
      authorizeUrl: ctx.authorizeUrl,
      clientId: client.clientId,
      redirectUri: ctx.redirectUris.link,
      state: signed.token,
      codeChallenge: codeChallengeS256(verifier),
    }),
    browserBinding,
    bindingMaxAgeSeconds,
    expiresAt: signed.expiresAt,
  };
}

/**
 * Finish linking: check the session (`memberId` `null`: {@link SessionRequiredError}), the callback
 * (Discord's error, the state's signature, kind, expiry, browser and member) and that OAuth is still
 * configured, spend the nonce, exchange the code with PKCE, refuse a Discord account linked to another
 * member, then store the Discord id, the email only when verified, the username and avatar hash, and mark
 * the member due for role sync. Every outcome is written to the event log.
 */
export async function completeLink(
  ctx: FlowContext,
  input: { params: CallbackParams; browserBinding: string | null | undefined; memberId: string | null },
  opts: IoOptions = {},
): Promise<LinkCompleted> {
  const trace: Trace = { memberId: input.memberId, discordUserId: null };
  return traced(ctx, "link", trace, opts, async () => {
    if (input.memberId === null) throw new SessionRequiredError({ flow: "link" });
    const memberId = input.memberId;
    const { code, state: token, error } = readCallbackParams(input.params);
    rejectProviderError(error, "link");
    const state = await ctx.tokens.verify(token, { kind: "link", browserBinding: input.browserBinding });
    if (state.memberId !== memberId) throw new StateTokenError("member_mismatch", { flow: "link" });
    const authorizationCode = requireCode(code, "link");
    // Before the nonce is spent: settings removed since the start answer "not configured", retryable.
    await loadClient(ctx, "link", opts);
    await consumeNonce(ctx, state, "link", opts);
    const identity = await exchangeCode(
      ctx,
      {
        code: authorizationCode,
        codeVerifier: deriveCodeVerifier({
          browserBinding: input.browserBinding as string,
          nonce: state.nonce,
        }),
        redirectUri: ctx.redirectUris.link,
      },
      "link",
      opts,
    );
    trace.discordUserId = identity.id;
    const profile = toProfile(identity);
    const conflict = () =>
      new AccountLinkConflictError("discord_account_linked_to_other_member", {
        flow: "link",
        discordUserId: identity.id,
      });
    const holder = await ctx.members.findByDiscordUserId({ discordUserId: identity.id }, opts);
    if (holder !== null && holder.memberId !== memberId) throw conflict();
    const linked = await ctx.members.linkDiscord({ memberId, profile }, opts);
    if (!linked.linked) {
      if (linked.reason === "member_not_found") {
        throw new MemberNotFoundError({ flow: "link", memberId });
      }
      throw conflict();
    }
    await ctx.members.markDueForSync({ memberId, now: ctx.clock.now() }, opts);
    await record(
      ctx,
      {
        kind: "oauth.callback",
        level: "info",
        message: "Discord account linked",
        memberId,
        discordUserId: identity.id,
        data: { flow: "link", outcome: "linked", emailStored: profile.email !== null },
      },
      opts,
    );
    return {
      memberId,
      discordUserId: identity.id,
      returnPath: safeRedirectPath(state.returnPath),
      emailStored: profile.email !== null,
    };
  });
}
