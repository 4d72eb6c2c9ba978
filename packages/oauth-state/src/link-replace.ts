import { linkInTransaction } from "./account-writes";
import type { VerifiedBrowserBinding } from "./browser-binding";
import { consumeNonce, verifyState } from "./callback";
import { safeRedirectPath } from "./callback-path";
import type { FlowContext, Trace } from "./context";
import {
  AccountLinkConflictError,
  MemberNotFoundError,
  type OAuthFlow,
  SessionRequiredError,
  StateTokenError,
} from "./errors";
import { record, traced } from "./flow-events";
import type { LinkCompleted } from "./link-flow";
import type { DiscordProfile, IoOptions } from "./ports";

/**
 * What the "Replace Discord account X with Y?" page shows: the member is linked to `previous`, and
 * Discord just authorized `next`. Post `replaceToken` to `confirmReplace` (single-use, 5 minutes, bound
 * to the same browser and member). Never log the token.
 */
export interface ReplaceConfirmation {
  replaceToken: string;
  memberId: string;
  /** The account linked now (its stored name, when there is one). */
  previous: { discordUserId: string; username: string | null };
  /** The account that would replace it. */
  next: { discordUserId: string; username: string; globalName: string | null };
  /** Where to go after confirming (already passed through {@link safeRedirectPath}). */
  returnPath: string;
  expiresAt: Date;
}

/** Refuses (as a conflict) a Discord account another member holds. */
export async function refuseTakenAccount(
  ctx: FlowContext,
  input: { memberId: string; discordUserId: string; flow: OAuthFlow },
  opts: IoOptions,
): Promise<void> {
  const holder = await ctx.members.findByDiscordUserId({ discordUserId: input.discordUserId }, opts);
  if (holder !== null && holder.memberId !== input.memberId) {
    throw new AccountLinkConflictError("discord_account_linked_to_other_member", {
      flow: input.flow,
      discordUserId: input.discordUserId,
    });
  }
}

/**
 * Store the link (marked due for role sync in the same transaction, see `linkInTransaction`) and write it to the event
 * log; a replacement is written with the account it replaced (`data.previousDiscordUserId`), whose roles
 * role sync then revokes.
 */
export async function linkAccount(
  ctx: FlowContext,
  input: { memberId: string; profile: DiscordProfile; flow: OAuthFlow; replaced: string | null },
  opts: IoOptions,
): Promise<Omit<LinkCompleted, "returnPath">> {
  const { memberId, profile, flow, replaced } = input;
  const linked = await linkInTransaction(ctx, { memberId, profile }, opts);
  if (!linked.linked) {
    if (linked.reason === "member_not_found") throw new MemberNotFoundError({ flow, memberId });
    throw new AccountLinkConflictError("discord_account_linked_to_other_member", {
      flow,
      discordUserId: profile.discordUserId,
    });
  }
  const emailStored = profile.email !== null;
  await record(
    ctx,
    {
      kind: "oauth.callback",
      level: "info",
      message: replaced === null ? "Discord account linked" : "Discord account replaced",
      memberId,
      discordUserId: profile.discordUserId,
      data: {
        flow,
        outcome: replaced === null ? "linked" : "replaced",
        emailStored,
        ...(replaced === null ? {} : { previousDiscordUserId: replaced }),
      },
    },
    opts,
  );
  return { memberId, discordUserId: profile.discordUserId, emailStored, replacedDiscordUserId: replaced };
}

/** Sign the replacement confirmation (bound to the browser and the member) and log that it was offered. */
export async function offerReplacement(
  ctx: FlowContext,
  input: {
    memberId: string;
    previous: { discordUserId: string; username: string | null };
    profile: DiscordProfile;
    returnPath: string;
    binding: VerifiedBrowserBinding;
  },
  opts: IoOptions,
): Promise<ReplaceConfirmation> {
  const { memberId, previous, profile, returnPath } = input;
  const signed = await ctx.tokens.sign(
    "replace",
    { memberId, returnPath, previous, profile },
    { browserBinding: input.binding.value },
  );
  await record(
    ctx,
    {
      kind: "oauth.callback",
      level: "info",
      message: "The member is linked to another Discord account; replacement confirmation offered",
      memberId,
      discordUserId: profile.discordUserId,
      data: { flow: "link", outcome: "replace_pending", previousDiscordUserId: previous.discordUserId },
    },
    opts,
  );
  return {
    replaceToken: signed.token,
    memberId,
    previous,
    next: {
      discordUserId: profile.discordUserId,
      username: profile.username,
      globalName: profile.globalName,
    },
    returnPath,
    expiresAt: signed.expiresAt,
  };
}

/**
 * Replace the member's Discord account once the person confirmed: verify the token (single-use,
 * 5 minutes, same browser, same signed-in member), check the member is still linked to the account the
 * confirmation named (else `member_link_changed`) and that no other member took the new one, then link
 * it. The old account's granted roles are revoked by role sync (the member is due).
 */
export async function confirmReplace(
  ctx: FlowContext,
  input: {
    replaceToken: string | null | undefined;
    browserBinding: string | null | undefined;
    memberId: string | null;
  },
  opts: IoOptions = {},
): Promise<LinkCompleted> {
  const trace: Trace = { memberId: input.memberId, discordUserId: null };
  return traced(ctx, "replace", trace, opts, async () => {
    if (input.memberId === null) throw new SessionRequiredError({ flow: "replace" });
    const memberId = input.memberId;
    const { state } = await verifyState(ctx, input.replaceToken, "replace", input.browserBinding);
    trace.discordUserId = state.profile.discordUserId;
    if (state.memberId !== memberId) throw new StateTokenError("member_mismatch", { flow: "replace" });
    await consumeNonce(ctx, state, "replace", opts);
    const member = await ctx.members.findByMemberId({ memberId }, opts);
    if (member === null) throw new MemberNotFoundError({ flow: "replace", memberId });
    if (member.discordUserId !== state.previous.discordUserId) {
      throw new AccountLinkConflictError("member_link_changed", {
        flow: "replace",
        discordUserId: state.profile.discordUserId,
      });
    }
    const discordUserId = state.profile.discordUserId;
    await refuseTakenAccount(ctx, { memberId, discordUserId, flow: "replace" }, opts);
    const linked = await linkAccount(
      ctx,
      { memberId, profile: state.profile, flow: "replace", replaced: state.previous.discordUserId },
      opts,
    );
    return { ...linked, returnPath: safeRedirectPath(state.returnPath) };
  });
}
