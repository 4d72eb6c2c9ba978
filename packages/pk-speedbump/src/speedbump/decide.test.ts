import { describe, expect, it } from "vitest";
import { userMessage } from "../../test/harness";
import { PLURALKIT_APPLICATION_ID } from "../channel-state";
import type { MessageCreateEvent, MessageEvent } from "../events";
import { resolveSpeedbumpOptions } from "../options";
import type { ChannelState } from "../ports";
import { type DecideState, decide } from "./decide";

const on: ChannelState = {
  channelId: "2",
  proxyApplicationId: PLURALKIT_APPLICATION_ID,
  webhookId: "9",
  checkedAt: null,
};
const off: ChannelState = { channelId: "2", proxyApplicationId: null, webhookId: null, checkedAt: null };

/** A user's create in channel 2 (the harness's message, re-placed). */
const create = (patch: Partial<MessageCreateEvent> = {}): MessageCreateEvent => ({
  ...userMessage({ id: "1", channelId: "2" }),
  ...patch,
});

function state(patch: Partial<DecideState> = {}): DecideState {
  return {
    channel: on,
    held: false,
    dropped: false,
    proxyUser: null,
    options: resolveSpeedbumpOptions({}),
    ...patch,
  };
}

const place = { channelId: "2", parentId: null, guildId: "3" };
const update: MessageEvent = { type: "update", id: "1", ...place, content: "edited" };
const remove: MessageEvent = { type: "delete", id: "1", ...place };

describe("decide (pure: no store, no timer)", () => {
  it("delivers at once in a channel without a proxy webhook, or one it knows nothing of", () => {
    expect(decide(create(), state({ channel: off }))).toEqual({ do: "deliver", reason: "speedbump_off" });
    expect(decide(create(), state({ channel: null }))).toEqual({ do: "deliver", reason: "speedbump_off" });
  });

  it("attributes PluralKit's webhook messages and delivers other webhooks' at once", () => {
    const pk = create({ webhookId: "9", applicationId: PLURALKIT_APPLICATION_ID });
    expect(decide(pk, state({ channel: null }))).toEqual({ do: "attribute" });
    expect(decide(create({ webhookId: "9", applicationId: null }), state())).toEqual({ do: "attribute" });
    expect(decide(create({ webhookId: "8", applicationId: null }), state())).toEqual({
      do: "deliver",
      reason: "webhook",
    });
  });

  it("asks whether the author proxies only when that decides, and holds a known proxy user", () => {
    expect(decide(create(), state())).toEqual({ do: "ask_proxy_user" });
    expect(decide(create(), state({ proxyUser: true }))).toEqual({ do: "hold", reason: "proxy_user" });
    expect(decide(create(), state({ proxyUser: false }))).toEqual({
      do: "deliver",
      reason: "not_proxy_user",
    });
  });

  it("holds PluralKit commands and, with holdAllUsers, everyone; never bots", () => {
    expect(decide(create({ content: "pk;edit x" }), state({ proxyUser: false }))).toEqual({
      do: "hold",
      reason: "command",
    });
    const all = state({ options: resolveSpeedbumpOptions({ holdAllUsers: true }) });
    expect(decide(create(), all)).toEqual({ do: "hold", reason: "all_users" });
    const bot = create({ author: { ...create().author, bot: true } });
    expect(decide(bot, all)).toEqual({ do: "deliver", reason: "bot" });
  });

  it("keeps a hold seen twice and drops an event of a message dropped before", () => {
    expect(decide(create(), state({ held: true }))).toEqual({ do: "hold", reason: "already_held" });
    expect(decide(create(), state({ dropped: true }))).toEqual({ do: "drop", reason: "already_dropped" });
  });

  it("replaces a held message on update and drops it on delete; passes the others through", () => {
    expect(decide(update, state({ held: true }))).toEqual({ do: "hold", reason: "updated_during_hold" });
    expect(decide(remove, state({ held: true }))).toEqual({ do: "drop", reason: "deleted_during_hold" });
    expect(decide(update, state())).toEqual({ do: "deliver", reason: "update" });
    expect(decide(remove, state())).toEqual({ do: "deliver", reason: "delete" });
    expect(decide(update, state({ dropped: true }))).toEqual({ do: "drop", reason: "already_dropped" });
    expect(decide(remove, state({ dropped: true }))).toEqual({ do: "drop", reason: "already_dropped" });
  });
});
