import { type CallbackParams, openCallback } from "./callback";
import { safeRedirectPath } from "./callback-path";
import { type FlowContext, type FlowStart, startFlow, type Trace, toProfile } from "./context";
import { MemberNotFoundError, SessionRequiredError, StateTokenError } from "./errors";
import { traced } from "./flow-events";
import { settleGrant } from "./grant-keeping";
import { linkAccount, offerReplacement, type ReplaceConfirmation, refuseTakenAccount } from "./link-replace";
import type { IoOptions } from "./ports";

export type { FlowStart } from "./context";

/** A successful link. */
export interface LinkCompleted {
  memberId: string;
  discordUserId: string;
  /** Where to send the person (already passed through {@link safeRedirectPath}). */
  returnPath: string;
  /** Whether an email was stored (only a Discord-verified address is). */
  emailStored: boolean;
  /** The Discord account this link replaced (after the person confirmed), or `null`. */
  replacedDiscordUserId: string | null;
}

/**
 * What a link callback ends with: `linked`, or `replace_pending` when the member is linked to another
 * Discord account — nothing was written; show `confirmation` ("Replace Discord account X with Y?") and
 * post its `replaceToken` to `confirmReplace`.
 */
export type LinkOutcome =
  | ({ status: "linked" } & LinkCompleted)
  | { status: "replace_pending"; memberId: string; discordUserId: string; confirmation: ReplaceConfirmation };

/** Start linking a Discord account to the signed-in member. */
export function startLink(
  ctx: FlowContext,
  input: { memberId: string; returnPath?: string | null; browserBinding?: string | null },
  opts: IoOptions = {},
): Promise<FlowStart> {
  return startFlow(
    ctx,
    "link",
    { memberId: input.memberId, returnPath: safeRedirectPath(input.returnPath ?? "/") },
    input.browserBinding,
    opts,
  );
}

/**
 * Finish linking: check the session (`memberId` `null`: {@link SessionRequiredError}), the callback
 * (Discord's error, the state's signature, kind, expiry, browser and member) and that OAuth is still
 * configured, spend the nonce, exchange the code with PKCE, refuse a Discord account linked to another
 * member. A member linked to another Discord account gets a replacement confirmation (nothing written);
 * otherwise the Discord id, the email only when verified, the username and avatar hash are stored and
 * the member is marked due for role sync, in one transaction of the store. Every outcome is written to
 * the event log.
 */
export async function completeLink(
  ctx: FlowContext,
  input: { params: CallbackParams; browserBinding: string | null | undefined; memberId: string | null },
  opts: IoOptions = {},
): Promise<LinkOutcome> {
  const trace: Trace = { memberId: input.memberId, discordUserId: null };
  return traced(ctx, "link", trace, opts, async () => {
    if (input.memberId === null) throw new SessionRequiredError({ flow: "link" });
    const memberId = input.memberId;
    const { state, binding, identity } = await openCallback(
      ctx,
      {
        flow: "link",
        params: input.params,
        browserBinding: input.browserBinding,
        trace,
        checkState: (verified) => {
          if (verified.memberId !== memberId) throw new StateTokenError("member_mismatch", { flow: "link" });
        },
      },
      opts,
    );
    // The tokens (when kept) go to the member only once linked; any other end revokes them.
    let keptFor: { memberId: string; discordUserId: string } | null = null;
    try {
      const profile = toProfile(identity);
      const returnPath = safeRedirectPath(state.returnPath);
      await refuseTakenAccount(ctx, { memberId, discordUserId: identity.id, flow: "link" }, opts);
      const member = await ctx.members.findByMemberId({ memberId }, opts);
      if (member === null) throw new MemberNotFoundError({ flow: "link", memberId });
      if (member.discordUserId !== null && member.discordUserId !== identity.id) {
        const previous = { discordUserId: member.discordUserId, username: member.discordUsername };
        const confirmation = await offerReplacement(
          ctx,
          { memberId, previous, profile, returnPath, binding },
          opts,
        );
        return { status: "replace_pending", memberId, discordUserId: identity.id, confirmation };
      }
      const linked = await linkAccount(ctx, { memberId, profile, flow: "link", replaced: null }, opts);
      keptFor = { memberId, discordUserId: identity.id };
      return { status: "linked", ...linked, returnPath };
    } finally {
      await settleGrant(ctx, identity.grant, keptFor, opts);
    }
  });
}
