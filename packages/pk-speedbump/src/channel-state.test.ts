import { describe, expect, it } from "vitest";
import {
  emptyChannelState,
  isProxyMessage,
  isSpeedbumpOn,
  needsWebhookCheck,
  PLURALKIT_APPLICATION_ID,
  stateFromWebhooks,
} from "./channel-state";

const now = new Date("2026-11-23T12:00:00Z");

describe("channel state", () => {
  it("a PluralKit-owned webhook turns the speedbump on, none turns it off", () => {
    const on = stateFromWebhooks(
      "1",
      [
        { id: "10", applicationId: null },
        { id: "11", applicationId: PLURALKIT_APPLICATION_ID },
      ],
      [PLURALKIT_APPLICATION_ID],
      now,
    );
    expect(on).toEqual({
      channelId: "1",
      proxyApplicationId: PLURALKIT_APPLICATION_ID,
      webhookId: "11",
      checkedAt: now,
    });
    expect(isSpeedbumpOn(on)).toBe(true);
    const off = stateFromWebhooks("1", [{ id: "10", applicationId: "77" }], [PLURALKIT_APPLICATION_ID], now);
    expect(isSpeedbumpOn(off)).toBe(false);
    expect(isSpeedbumpOn(null)).toBe(false);
  });

  it("needs a check when never checked or the refresh interval has passed", () => {
    expect(needsWebhookCheck(null, now, 1000)).toBe(true);
    expect(needsWebhookCheck(emptyChannelState("1"), now, 1000)).toBe(true);
    const checked = { ...emptyChannelState("1"), checkedAt: new Date(now.getTime() - 999) };
    expect(needsWebhookCheck(checked, now, 1000)).toBe(false);
    expect(needsWebhookCheck(checked, new Date(now.getTime() + 1), 1000)).toBe(true);
  });

  it("recognises the proxy by application id or by the channel's recorded webhook", () => {
    const state = { ...emptyChannelState("1"), webhookId: "11" };
    const ids = [PLURALKIT_APPLICATION_ID];
    expect(isProxyMessage({ webhookId: "12", applicationId: PLURALKIT_APPLICATION_ID }, null, ids)).toBe(
      true,
    );
    expect(isProxyMessage({ webhookId: "11", applicationId: null }, state, ids)).toBe(true);
    expect(isProxyMessage({ webhookId: "12", applicationId: null }, state, ids)).toBe(false);
    expect(isProxyMessage({ webhookId: null, applicationId: PLURALKIT_APPLICATION_ID }, state, ids)).toBe(
      false,
    );
  });
});
