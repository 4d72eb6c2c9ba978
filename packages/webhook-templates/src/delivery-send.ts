import type { ChannelBudget } from "./channel-budget";
import { prepareEmbedGroup } from "./delivery-embeds";
import { type PreparedMessage, postMessage, prepareMessage } from "./delivery-message";
import type { createOutcomeRecorder, Round } from "./delivery-outcomes";
import { decideDelivery } from "./delivery-policy";
import type { CompiledEmbed } from "./embed";
import type { ClaimedEvent, Clock, WebhookSender } from "./ports";
import type { CompiledTemplate } from "./template";
import type { createChannelResolver } from "./webhook-channels";
import type { WebhookTarget } from "./webhook-url";

/** What {@link createDeliverStep} needs from delivery. */
export interface DeliverStepDeps {
  sender: WebhookSender;
  clock: Clock;
  recorder: ReturnType<typeof createOutcomeRecorder>;
  budget: ChannelBudget | null;
  channels: ReturnType<typeof createChannelResolver>;
  templateFor: (event: ClaimedEvent) => CompiledTemplate;
  embedFor: (event: ClaimedEvent) => CompiledEmbed;
  webhookBaseUrl: string | null;
  /** Waits after each failure for webhooks without their own (`null`: the default schedule). */
  defaultRetryDelaysMs?: readonly number[] | null;
}

/**
 * One step of a webhook's run: the head event as a text message, or — for a webhook with an embed
 * template — the head and the events after it that fit, as one message. Keeps to the channel's
 * budget, posts once, and records the outcome by the delivery policy.
 */
export function createDeliverStep(deps: DeliverStepDeps) {
  const { sender, clock, recorder, budget, channels, templateFor, embedFor, webhookBaseUrl } = deps;
  const defaults = deps.defaultRetryDelaysMs ?? null;

  /**
   * Keeps to the channel's budget before a post: `go` with the channel's key, or the webhook's run
   * stops (`proceed`) because the channel has no message free or the webhook is gone.
   */
  const gate = async (
    target: WebhookTarget,
    head: ClaimedEvent,
    round: Round,
  ): Promise<{ go: true; channelKey: string | null } | { go: false; proceed: boolean }> => {
    if (!budget) return { go: true, channelKey: null };
    const channel = await channels.resolve(target, { signal: round.signal });
    if (channel.kind === "gone") {
      const decision = decideDelivery(
        channel.outcome,
        head.attempts,
        retryPolicyOf(head, clock.now(), defaults),
      );
      return { go: false, proceed: await recorder.apply(head, decision, channel.outcome, false, round) };
    }
    const waitMs = await budget.reserve({ channelId: channel.key, now: clock.now() });
    if (waitMs > 0) return { go: false, proceed: await recorder.hold(head, waitMs, channel.key, round) };
    return { go: true, channelKey: channel.key };
  };

  /** Posts a prepared message; a 429 that reached us (the client waits out what it can) closes the channel for everyone. */
  const post = async (message: Extract<PreparedMessage, { kind: "ready" }>, channelKey: string | null) => {
    const outcome = await postMessage(sender, message);
    if (budget && channelKey && outcome.kind === "rate_limited" && outcome.retryAfterMs !== null) {
      const until = new Date(clock.now().getTime() + outcome.retryAfterMs);
      await budget.block({ channelId: channelKey, until });
    }
    return outcome;
  };

  /** Sends one event as a text message; returns true when the webhook's next event may follow. */
  const deliverOne = async (event: ClaimedEvent, round: Round): Promise<boolean> => {
    const message = prepareMessage(event, { templateFor, webhookBaseUrl });
    if (message.kind === "disable") return recorder.disable(event, message.reason, round);
    if (message.kind === "dead")
      return recorder.dead(event, message.reason, message.possibleDuplicate, round);
    const gated = await gate(message.target, event, round);
    if (!gated.go) return gated.proceed;
    const outcome = await post(message, gated.channelKey);
    const decision = decideDelivery(outcome, event.attempts, retryPolicyOf(event, clock.now(), defaults));
    return recorder.apply(event, decision, outcome, message.truncated, round);
  };

  /**
   * Sends the first events of a webhook with an embed template as one message (up to its `coalesce`,
   * one embed each, in order). Delivered: every event of it is, with the one message id. Otherwise
   * the head takes the outcome and the others go back unattempted (they follow in a later message).
   */
  const deliverGroup = async (events: ClaimedEvent[], round: Round) => {
    const head = events[0] as ClaimedEvent;
    const group = prepareEmbedGroup(events, { embedFor, webhookBaseUrl });
    if (group.kind === "disable")
      return { consumed: 1, proceed: await recorder.disable(head, group.reason, round) };
    if (group.kind === "dead")
      return {
        consumed: 1,
        proceed: await recorder.dead(head, group.reason, group.possibleDuplicate, round),
      };
    const gated = await gate(group.target, head, round);
    if (!gated.go) return { consumed: 1, proceed: gated.proceed };
    const outcome = await post({ ...group, truncated: false }, gated.channelKey);
    if (outcome.kind !== "delivered") {
      const decision = decideDelivery(outcome, head.attempts, retryPolicyOf(head, clock.now(), defaults));
      return { consumed: 1, proceed: await recorder.apply(head, decision, outcome, false, round) };
    }
    const decision = { action: "delivered", messageId: outcome.messageId } as const;
    for (const e of group.events) await recorder.apply(e, decision, outcome, false, round);
    return { consumed: group.events.length, proceed: true };
  };

  const deliver = async (events: ClaimedEvent[], round: Round) =>
    events[0]?.webhook.embed
      ? deliverGroup(events, round)
      : { consumed: 1, proceed: await deliverOne(events[0] as ClaimedEvent, round) };

  return deliver;
}

/** The event's webhook's retry policy, with the event's age at `now`. */
function retryPolicyOf(event: ClaimedEvent, now: Date, defaults: readonly number[] | null) {
  return {
    retryDelaysMs: event.webhook.retryDelaysMs ?? defaults,
    giveUpAfterMs: event.webhook.giveUpAfterMs ?? null,
    ageMs: Math.max(0, now.getTime() - event.createdAt.getTime()),
  };
}
