import { isProxyMessage, isSpeedbumpOn } from "../channel-state";
import type { MessageEvent } from "../events";
import type { ResolvedSpeedbumpOptions } from "../options";
import type { ChannelState } from "../ports";
import type { DeliverReason, DropReason, HoldReason } from "./types";

/** What {@link decide} knows about an event's message and channel; no I/O behind any of it. */
export interface DecideState {
  /** The routing channel's state (a thread's parent); null when this process knows nothing of it. */
  channel: ChannelState | null;
  /** Whether the message is on hold now. */
  held: boolean;
  /** Whether the message was dropped lately. */
  dropped: boolean;
  /** Whether the author is known to proxy; null when not looked up (yet). */
  proxyUser: boolean | null;
  options: Pick<ResolvedSpeedbumpOptions, "proxyApplicationIds" | "holdAllUsers" | "holdCommandPrefixes">;
}

/** What to do with an event; the shell carries it out. */
export type Step =
  | { readonly do: "deliver"; readonly reason: DeliverReason }
  /** A create: hold it for `delayMs` (or keep its hold); an update: replace the held message. */
  | { readonly do: "hold"; readonly reason: HoldReason }
  | { readonly do: "drop"; readonly reason: DropReason }
  /** PluralKit's webhook posted it: look it up, deliver it attributed to the member, drop its original. */
  | { readonly do: "attribute" }
  /** Whether the author proxies decides: look it up and decide again with `proxyUser` set. */
  | { readonly do: "ask_proxy_user" };

const deliver = (reason: DeliverReason): Step => Object.freeze({ do: "deliver", reason });
const hold = (reason: HoldReason): Step => Object.freeze({ do: "hold", reason });
const drop = (reason: DropReason): Step => Object.freeze({ do: "drop", reason });

/** The steps, allocated once: deciding allocates nothing. */
const STEP = {
  off: deliver("speedbump_off"),
  notProxyUser: deliver("not_proxy_user"),
  bot: deliver("bot"),
  webhook: deliver("webhook"),
  update: deliver("update"),
  delete: deliver("delete"),
  proxyUser: hold("proxy_user"),
  allUsers: hold("all_users"),
  command: hold("command"),
  updated: hold("updated_during_hold"),
  alreadyHeld: hold("already_held"),
  deleted: drop("deleted_during_hold"),
  alreadyDropped: drop("already_dropped"),
  attribute: Object.freeze({ do: "attribute" }) as Step,
  askProxyUser: Object.freeze({ do: "ask_proxy_user" }) as Step,
} as const;

/**
 * The speedbump's decision for one event, from what is known: pure, so every rule of the table in
 * the README is a line here. A bulk delete is decided per message id, as a delete.
 */
export function decide(event: MessageEvent, state: DecideState): Step {
  if (event.type === "update") {
    if (state.held) return STEP.updated;
    return state.dropped ? STEP.alreadyDropped : STEP.update;
  }
  if (event.type !== "create") {
    if (state.held) return STEP.deleted;
    return state.dropped ? STEP.alreadyDropped : STEP.delete;
  }
  const { channel, options } = state;
  if (event.webhookId) {
    return isProxyMessage(event, channel, options.proxyApplicationIds) ? STEP.attribute : STEP.webhook;
  }
  if (state.held) return STEP.alreadyHeld;
  if (state.dropped) return STEP.alreadyDropped;
  if (!isSpeedbumpOn(channel)) return STEP.off;
  if (event.author.bot) return STEP.bot;
  if (options.holdAllUsers) return STEP.allUsers;
  if (state.proxyUser === null) return STEP.askProxyUser;
  if (state.proxyUser) return STEP.proxyUser;
  if (options.holdCommandPrefixes.some((p) => event.content.startsWith(p))) return STEP.command;
  return STEP.notProxyUser;
}
