import { describe, expect, it } from "vitest";
import { fromGatewayDispatch, mergeUpdate, parseMessageEvent, routingChannelId } from "./events";

describe("parseMessageEvent", () => {
  it("fills omitted optional fields with null or empty", () => {
    const event = parseMessageEvent({
      type: "create",
      id: "1",
      channelId: "2",
      author: { id: "3", username: "alice" },
      content: "hi",
    });
    expect(event).toEqual({
      type: "create",
      id: "1",
      channelId: "2",
      parentId: null,
      guildId: null,
      author: { id: "3", username: "alice", globalName: null, avatar: null, bot: false },
      webhookId: null,
      applicationId: null,
      content: "hi",
      embeds: [],
      attachments: [],
      timestamp: null,
    });
  });

  it("rejects a non-snowflake id and an unknown type", () => {
    expect(() => parseMessageEvent({ type: "delete", id: "abc", channelId: "2" })).toThrow();
    expect(() => parseMessageEvent({ type: "typing", id: "1", channelId: "2" })).toThrow();
  });

  it("keeps an update's absent fields absent", () => {
    expect(parseMessageEvent({ type: "update", id: "1", channelId: "2", content: "x" })).toEqual({
      type: "update",
      id: "1",
      channelId: "2",
      parentId: null,
      guildId: null,
      content: "x",
    });
  });
});

describe("fromGatewayDispatch", () => {
  it("converts MESSAGE_CREATE with the thread parent from the caller's cache", () => {
    const event = fromGatewayDispatch(
      {
        t: "MESSAGE_CREATE",
        d: {
          id: "10",
          channel_id: "20",
          guild_id: "30",
          author: { id: "40", username: "Alice | sys", avatar: "h", bot: true },
          webhook_id: "40",
          application_id: "466378653216014359",
          content: "hi",
        },
      },
      { parentOf: (id) => (id === "20" ? "19" : null) },
    );
    expect(event).toMatchObject({
      type: "create",
      parentId: "19",
      webhookId: "40",
      applicationId: "466378653216014359",
      author: { bot: true, avatar: "h" },
    });
    expect(routingChannelId(event as { channelId: string; parentId: string | null })).toBe("19");
  });

  it("converts updates, deletes and bulk deletes, and ignores other dispatches", () => {
    expect(
      fromGatewayDispatch({ t: "MESSAGE_UPDATE", d: { id: "1", channel_id: "2", content: "x" } }),
    ).toEqual({
      type: "update",
      id: "1",
      channelId: "2",
      parentId: null,
      guildId: null,
      content: "x",
    });
    expect(
      fromGatewayDispatch({ t: "MESSAGE_DELETE", d: { id: "1", channel_id: "2", guild_id: "3" } }),
    ).toMatchObject({
      type: "delete",
      guildId: "3",
    });
    expect(
      fromGatewayDispatch({ t: "MESSAGE_DELETE_BULK", d: { ids: ["1", "2"], channel_id: "2" } }),
    ).toMatchObject({
      type: "delete_bulk",
      ids: ["1", "2"],
    });
    expect(fromGatewayDispatch({ t: "TYPING_START", d: {} })).toBeNull();
  });
});

describe("mergeUpdate", () => {
  it("replaces only the fields the update carries", () => {
    const create = parseMessageEvent({
      type: "create",
      id: "1",
      channelId: "2",
      author: { id: "3", username: "a" },
      content: "v1",
      embeds: [{ a: 1 }],
    });
    if (create.type !== "create") throw new Error("unreachable");
    const merged = mergeUpdate(create, {
      type: "update",
      id: "1",
      channelId: "2",
      parentId: null,
      guildId: null,
      content: "v2",
    });
    expect(merged.content).toBe("v2");
    expect(merged.embeds).toEqual([{ a: 1 }]);
  });
});
