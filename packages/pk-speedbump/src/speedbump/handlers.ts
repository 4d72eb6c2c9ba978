import { emptyChannelState } from "../channel-state";
import {
  type MessageCreateEvent,
  type MessageDeleteBulkEvent,
  type MessageDeleteEvent,
  type MessageEvent,
  type MessageUpdateEvent,
  mergeUpdate,
  routingChannelId,
} from "../events";
import { fallbackIdentity, mapIdentity, webhookProfile } from "../identity";
import type { ChannelState } from "../ports";
import type { ChannelCache } from "./channel-cache";
import { type DecideState, decide, type Step } from "./decide";
import type { Holds } from "./holds";
import type { ProxyKnowledge } from "./proxy-lookup";
import type { SpeedbumpRuntime } from "./runtime";
import type { SpeedbumpDecision } from "./types";
import type { Unresolved } from "./unresolved";
import type { WebhookCheck } from "./webhook-check";

/** The parts of one speedbump the event handlers drive. */
export interface SpeedbumpParts {
  runtime: SpeedbumpRuntime;
  channels: ChannelCache;
  holds: Holds;
  proxy: ProxyKnowledge;
  unresolved: Unresolved;
  checkWebhooks: WebhookCheck;
}

/** Decides for an event in its line and carries the decision out. */
export type Dispatch = (event: MessageEvent) => Promise<SpeedbumpDecision | SpeedbumpDecision[]>;

/**
 * Creates the shell around {@link decide}: each event runs in its channel's line (an update or
 * delete in the line of its pending create or hold), is decided, and the decision's I/O is done.
 */
export function createDispatch(parts: SpeedbumpParts): Dispatch {
  const { runtime, channels, holds, proxy, unresolved, checkWebhooks } = parts;
  const { options } = runtime;
  /** Creates waiting in a line → that line, so their updates and deletes queue behind them. */
  const pendingCreates = new Map<string, string>();

  /** decide()'s input, reused: deciding is synchronous, so one object serves every event (no allocation). */
  const scratch: DecideState = { channel: null, held: false, dropped: false, proxyUser: null, options };

  function decideNow(
    event: MessageEvent,
    channel: ChannelState | null,
    held: boolean,
    dropped: boolean,
    proxyUser: boolean | null,
  ): Step {
    scratch.channel = channel;
    scratch.held = held;
    scratch.dropped = dropped;
    scratch.proxyUser = proxyUser;
    const step = decide(event, scratch);
    scratch.channel = null;
    return step;
  }

  /** PluralKit posted it: the speedbump is on from now (a replaced webhook takes over). */
  function noteProxyWebhook(event: MessageCreateEvent, channelId: string, state: ChannelState | null): void {
    const webhookId = event.webhookId!;
    if (
      state?.webhookId === webhookId &&
      (event.applicationId === null || state.proxyApplicationId === event.applicationId)
    )
      return;
    const current = state ?? emptyChannelState(channelId);
    channels.save({
      ...current,
      webhookId,
      proxyApplicationId: event.applicationId ?? current.proxyApplicationId,
    });
  }

  async function attribute(
    event: MessageCreateEvent,
    channelId: string,
    state: ChannelState | null,
  ): Promise<SpeedbumpDecision> {
    noteProxyWebhook(event, channelId, state);
    const profile = webhookProfile(event.author, event.webhookId!, options.identity);
    const result = await proxy.lookup(event.id);
    const identity = result.ok
      ? mapIdentity(result.message, profile, options.identity)
      : fallbackIdentity(profile, { resolved: false });
    const original = result.ok ? (result.message?.original ?? null) : null;
    // Deliver first: if the sink fails, the held original stays (and this event can be re-fed).
    await runtime.send({
      type: "create",
      message: event,
      author: { kind: "pluralkit", identity },
      heldMs: 0,
    });
    if (original && holds.find(original)) await holds.drop(original, "proxied");
    if (result.ok) await proxy.learn(result.message, identity, event.guildId);
    else await unresolved.queue(event, profile);
    return { action: "deliver", messageId: event.id, reason: "proxy_webhook" };
  }

  async function handleCreate(event: MessageCreateEvent): Promise<SpeedbumpDecision> {
    const channelId = routingChannelId(event);
    // No store read: a channel not known to have a speedbump has none (see start()).
    const channel = channels.known(channelId);
    const existing = holds.find(event.id);
    const held = existing !== undefined;
    const dropped = holds.wasDropped(event.id);
    let step = decideNow(event, channel, held, dropped, null);
    if (step.do === "ask_proxy_user")
      step = decideNow(event, channel, held, dropped, await proxy.isProxyUser(event.author.id));
    switch (step.do) {
      case "attribute":
        return attribute(event, channelId, channel);
      case "deliver": {
        const author =
          step.reason === "webhook"
            ? ({
                kind: "webhook",
                webhook: webhookProfile(event.author, event.webhookId!, options.identity),
              } as const)
            : ({ kind: "user", user: event.author } as const);
        await runtime.send({ type: "create", message: event, author, heldMs: 0 });
        return { action: "deliver", messageId: event.id, reason: step.reason };
      }
      case "drop":
        return { action: "drop", messageId: event.id, reason: step.reason };
      case "hold": {
        if (existing)
          return { action: "hold", messageId: event.id, reason: step.reason, dueAt: existing.dueAt };
        const heldAt = runtime.now();
        const dueAt = new Date(heldAt.getTime() + options.delayMs);
        await holds.hold(event, channelId, heldAt, dueAt);
        return { action: "hold", messageId: event.id, reason: step.reason, dueAt };
      }
      case "ask_proxy_user":
        throw new Error("unreachable: decide() asked twice whether the author proxies");
    }
  }

  async function handleUpdate(event: MessageUpdateEvent): Promise<SpeedbumpDecision> {
    const hold = holds.find(event.id);
    const step = decideNow(event, null, hold !== undefined, holds.wasDropped(event.id), null);
    if (hold && step.do === "hold") {
      await holds.replace(hold, mergeUpdate(hold.message, event));
      return { action: "hold", messageId: event.id, reason: step.reason, dueAt: hold.dueAt };
    }
    if (step.do === "drop") return { action: "drop", messageId: event.id, reason: step.reason };
    await runtime.send({ type: "update", update: event });
    return { action: "deliver", messageId: event.id, reason: "update" };
  }

  async function handleDeleteOne(
    id: string,
    event: MessageDeleteEvent | MessageDeleteBulkEvent,
  ): Promise<SpeedbumpDecision> {
    const step = decideNow(event, null, holds.find(id) !== undefined, holds.wasDropped(id), null);
    if (step.do === "drop") {
      if (step.reason === "deleted_during_hold") {
        const dropped = await holds.drop(id, step.reason);
        if (dropped) return dropped;
      }
      return { action: "drop", messageId: id, reason: "already_dropped" };
    }
    await runtime.send({
      type: "delete",
      messageId: id,
      channelId: event.channelId,
      parentId: event.parentId,
      guildId: event.guildId,
    });
    return { action: "deliver", messageId: id, reason: "delete" };
  }

  async function handleDelete(event: MessageDeleteEvent): Promise<SpeedbumpDecision> {
    try {
      return await handleDeleteOne(event.id, event);
    } finally {
      checkWebhooks(routingChannelId(event));
    }
  }

  /** The line a message's update or delete runs in: its pending create's or its hold's, if any. */
  function lineOf(messageId: string, event: MessageEvent): string {
    return pendingCreates.get(messageId) ?? holds.find(messageId)?.channelId ?? routingChannelId(event);
  }

  async function handleDeleteBulk(event: MessageDeleteBulkEvent): Promise<SpeedbumpDecision[]> {
    const results = await Promise.allSettled(
      event.ids.map((id) => runtime.lines.run(lineOf(id, event), () => handleDeleteOne(id, event))),
    );
    checkWebhooks(routingChannelId(event));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<SpeedbumpDecision>).value);
  }

  return (event) => {
    switch (event.type) {
      case "create": {
        const line = routingChannelId(event);
        pendingCreates.set(event.id, line);
        return runtime.lines.run(line, async () => {
          try {
            return await handleCreate(event);
          } finally {
            if (pendingCreates.get(event.id) === line) pendingCreates.delete(event.id);
          }
        });
      }
      case "update":
        return runtime.lines.run(lineOf(event.id, event), () => handleUpdate(event));
      case "delete":
        return runtime.lines.run(lineOf(event.id, event), () => handleDelete(event));
      case "delete_bulk":
        return runtime.track(handleDeleteBulk(event));
    }
  };
}
