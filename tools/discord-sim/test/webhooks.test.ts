import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimWebhook } from "../src/types";
import { ALICE, CHANNEL, GUILD, MEMBER_ROLE, readJson, startWorld, THREAD, type World } from "./helpers";

let w: World;
let own: SimWebhook;
let pk: SimWebhook;
let user: SimWebhook;
beforeEach(async () => {
  w = await startWorld({ routeLimits: { execute_webhook: { limit: 100, windowMs: 2_000 } } });
  own = w.sim.seed.webhook({ channelId: CHANNEL, name: "guildkit", applicationId: w.app.clientId });
  pk = w.sim.seed.webhook({ channelId: CHANNEL, name: "PluralKit", applicationId: "466378653216014359" });
  user = w.sim.seed.webhook({
    channelId: CHANNEL,
    name: "made by a human",
    avatar: "abcdefabcdefabcdefabcdefabcdefab",
  });
});
afterEach(async () => {
  await w.sim.close();
});

const execute = (hook: SimWebhook, body: unknown, query = "?wait=true", token = hook.token) =>
  w.raw(`/api/v10/webhooks/${hook.id}/${token}${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("GET /channels/{channel}/webhooks", () => {
  it("returns the channel's webhooks, with a token only for those the bot's application owns", async () => {
    const hooks: {
      id: string;
      token?: string;
      application_id: string | null;
      channel_id: string;
      guild_id: string;
    }[] = await readJson(w.bot(`/channels/${CHANNEL}/webhooks`));
    const byId = new Map(hooks.map((h) => [h.id, h]));
    expect(byId.get(own.id)?.token).toBe(own.token);
    expect(byId.get(pk.id)).not.toHaveProperty("token");
    expect(byId.get(pk.id)?.application_id).toBe("466378653216014359");
    expect(byId.get(user.id)).not.toHaveProperty("token");
    expect(byId.get(user.id)?.application_id).toBeNull();
    expect(byId.get(own.id)).toMatchObject({ channel_id: CHANNEL, guild_id: GUILD, type: 1 });
  });

  it("answers 404 10003 for an unknown channel", async () => {
    const res = await w.bot("/channels/123/webhooks");
    expect(res.status).toBe(404);
    expect(await readJson(res)).toEqual({ message: "Unknown Channel", code: 10003 });
  });
});

describe("POST /webhooks/{id}/{token}", () => {
  it("with wait=true returns a message like Discord's, including webhook_id and application_id", async () => {
    const res = await execute(own, {
      content: "hello",
      username: "Payments",
      avatar_url: "https://example.test/a.png",
    });
    expect(res.status).toBe(200);
    const message = await readJson(res);
    expect(message).toMatchObject({
      type: 0,
      content: "hello",
      channel_id: CHANNEL,
      webhook_id: own.id,
      application_id: w.app.clientId,
      author: { id: own.id, username: "Payments", bot: true, discriminator: "0000" },
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      edited_timestamp: null,
    });
    expect(message.id).toMatch(/^\d+$/);
    expect(message.author.avatar).toMatch(/^[0-9a-f]{32}$/);
    expect(message.timestamp).toMatch(/\+00:00$/);
    const [posted] = w.sim.inspect.messages(own.id);
    expect(posted).toMatchObject({ id: message.id, content: "hello", username: "Payments", threadId: null });
  });

  it("uses the webhook's default name and avatar and omits application_id for a user-made webhook", async () => {
    const message = await readJson(execute(user, { content: "hi" }));
    expect(message.author).toMatchObject({ username: "made by a human", avatar: user.avatar });
    expect(message).not.toHaveProperty("application_id");
  });

  it("without wait answers 204 and still posts the message", async () => {
    const res = await execute(own, { content: "fire and forget" }, "");
    expect(res.status).toBe(204);
    expect(w.sim.inspect.messages(own.id).map((m) => m.content)).toEqual(["fire and forget"]);
  });

  it("posts into a thread of the webhook's channel with thread_id, and 404s an unknown thread", async () => {
    const message = await readJson(execute(own, { content: "in thread" }, `?wait=true&thread_id=${THREAD}`));
    expect(message.channel_id).toBe(THREAD);
    const bad = await execute(own, { content: "x" }, "?wait=true&thread_id=1234");
    expect(bad.status).toBe(404);
    expect((await readJson(bad)).code).toBe(10003);
  });

  it("rejects an empty message with 50006", async () => {
    for (const body of [{}, { content: "" }, { content: "   " }, { embeds: [] }]) {
      const res = await execute(own, body);
      expect(res.status).toBe(400);
      expect(await readJson(res)).toEqual({ message: "Cannot send an empty message", code: 50006 });
    }
  });

  it("rejects content over 2000 characters with 50035 BASE_TYPE_MAX_LENGTH", async () => {
    const ok = await execute(own, { content: "x".repeat(2000) });
    expect(ok.status).toBe(200);
    const res = await execute(own, { content: "x".repeat(2001) });
    expect(res.status).toBe(400);
    expect(await readJson(res)).toEqual({
      message: "Invalid Form Body",
      code: 50035,
      errors: {
        content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] },
      },
    });
  });

  it("rejects more than 10 embeds and over-long embed fields", async () => {
    const many = await execute(own, { embeds: Array.from({ length: 11 }, () => ({ title: "t" })) });
    expect(many.status).toBe(400);
    expect((await readJson(many)).errors.embeds._errors[0].code).toBe("BASE_TYPE_MAX_LENGTH");
    const long = await execute(own, { embeds: [{ title: "t" }, { title: "x".repeat(257) }] });
    expect((await readJson(long)).errors.embeds["1"].title._errors[0].code).toBe("BASE_TYPE_MAX_LENGTH");
  });

  it("rejects a username containing discord or clyde", async () => {
    for (const username of ["Discord Bot", "clyde", "my-CLYDE"]) {
      const res = await execute(own, { content: "hi", username });
      expect(res.status).toBe(400);
      expect((await readJson(res)).errors.username._errors[0].code).toBe("USERNAME_INVALID_CONTAINS");
    }
  });

  it("rejects allowed_mentions with parse users and a non-empty users list", async () => {
    const res = await execute(own, { content: "hi", allowed_mentions: { parse: ["users"], users: [ALICE] } });
    expect(res.status).toBe(400);
    expect((await readJson(res)).errors.allowed_mentions._errors[0].code).toBe(
      "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
    );
    const fine = await execute(own, { content: "hi", allowed_mentions: { parse: ["users"], users: [] } });
    expect(fine.status).toBe(200);
  });

  it("computes mentions with the webhook default {parse:[users]} and honours allowed_mentions", async () => {
    const content = `<@${ALICE}> @everyone <@&${MEMBER_ROLE}>`;
    const byDefault = await readJson(execute(own, { content }));
    expect(byDefault.mentions.map((u: { id: string }) => u.id)).toEqual([ALICE]);
    expect(byDefault.mention_everyone).toBe(false);
    expect(byDefault.mention_roles).toEqual([]);
    const none = await readJson(execute(own, { content, allowed_mentions: { parse: [] } }));
    expect(none.mentions).toEqual([]);
    const all = await readJson(
      execute(own, { content, allowed_mentions: { parse: ["users", "roles", "everyone"] } }),
    );
    expect(all.mention_everyone).toBe(true);
    expect(all.mention_roles).toEqual([MEMBER_ROLE]);
    const listed = await readJson(execute(own, { content, allowed_mentions: { users: [ALICE] } }));
    expect(listed.mentions.map((u: { id: string }) => u.id)).toEqual([ALICE]);
    expect(listed.mention_everyone).toBe(false);
  });

  it("answers 404 10015 for an unknown webhook and 401 50027 for a wrong token", async () => {
    const unknown = await w.raw(`/api/v10/webhooks/123/abc`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"content":"x"}',
    });
    expect(unknown.status).toBe(404);
    expect(await readJson(unknown)).toEqual({ message: "Unknown Webhook", code: 10015 });
    const wrong = await execute(own, { content: "x" }, "?wait=true", "not-the-token");
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong)).toEqual({ message: "Invalid Webhook Token", code: 50027 });
    w.sim.seed.deleteWebhook(own.id);
    expect((await execute(own, { content: "x" })).status).toBe(404);
  });

  it("answers 50109 for invalid JSON and 50035 for an unsupported content type", async () => {
    const invalid = await execute(own, "{not json");
    expect(invalid.status).toBe(400);
    expect((await readJson(invalid)).code).toBe(50109);
    const form = await w.raw(`/api/v10/webhooks/${own.id}/${own.token}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "content=hi",
    });
    expect(form.status).toBe(400);
    expect((await readJson(form)).errors._errors[0].code).toBe("CONTENT_TYPE_INVALID");
  });

  it("accepts multipart with payload_json", async () => {
    const body = new FormData();
    body.set("payload_json", JSON.stringify({ content: "from multipart" }));
    const res = await w.raw(`/api/v10/webhooks/${own.id}/${own.token}?wait=true`, { method: "POST", body });
    expect(res.status).toBe(200);
    expect((await readJson(res)).content).toBe("from multipart");
  });
});

describe("webhook messages", () => {
  it("PATCH edits the content and sets edited_timestamp; DELETE removes the message", async () => {
    const sent = await readJson(execute(own, { content: "before" }));
    const path = `/api/v10/webhooks/${own.id}/${own.token}/messages/${sent.id}`;
    w.clock.advance(5_000);
    const edited = await w.raw(path, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ content: "after" }),
    });
    expect(edited.status).toBe(200);
    const body = await readJson(edited);
    expect(body.content).toBe("after");
    expect(body.edited_timestamp).not.toBeNull();
    expect(w.sim.inspect.messages(own.id)[0]?.content).toBe("after");
    expect((await w.raw(path)).status).toBe(200);
    expect((await w.raw(path, { method: "DELETE" })).status).toBe(204);
    const gone = await w.raw(path);
    expect(gone.status).toBe(404);
    expect((await readJson(gone)).code).toBe(10008);
    expect(w.sim.inspect.messages(own.id)).toEqual([]);
  });

  it("requires thread_id for a message posted in a thread", async () => {
    const sent = await readJson(execute(own, { content: "t" }, `?wait=true&thread_id=${THREAD}`));
    const path = `/api/v10/webhooks/${own.id}/${own.token}/messages/${sent.id}`;
    expect((await w.raw(path)).status).toBe(404);
    expect((await w.raw(`${path}?thread_id=${THREAD}`)).status).toBe(200);
  });

  it("validates edits like executions", async () => {
    const sent = await readJson(execute(own, { content: "x" }));
    const res = await w.raw(`/api/v10/webhooks/${own.id}/${own.token}/messages/${sent.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ content: "y".repeat(2001) }),
    });
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe(50035);
  });
});
