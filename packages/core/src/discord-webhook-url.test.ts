import { describe, expect, it } from "vitest";
import { DISCORD_WEBHOOK_HOSTS, parseDiscordWebhookUrl } from "./discord-webhook-url";

const TOKEN = "aBc-123_xyz";
const ID = "123456789012345678";

describe("parseDiscordWebhookUrl", () => {
  it.each(DISCORD_WEBHOOK_HOSTS)("reads a webhook URL on %s", (host) => {
    expect(parseDiscordWebhookUrl(`https://${host}/api/webhooks/${ID}/${TOKEN}`)).toEqual({
      ok: true,
      webhookId: ID,
      token: TOKEN,
      threadId: null,
    });
  });

  it("accepts an API version, no /api, a trailing slash, an upper-case host and a thread", () => {
    for (const url of [
      `https://discord.com/api/v10/webhooks/${ID}/${TOKEN}/`,
      `https://discord.com/webhooks/${ID}/${TOKEN}`,
      `  https://DISCORD.com/api/webhooks/${ID}/${TOKEN}  `,
    ]) {
      expect(parseDiscordWebhookUrl(url)).toMatchObject({ ok: true, webhookId: ID, token: TOKEN });
    }
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/1/${TOKEN}?thread_id=${ID}&x=1`)).toEqual(
      {
        ok: true,
        webhookId: "1",
        token: TOKEN,
        threadId: ID,
      },
    );
  });

  it("accepts the base URL's origin over http and on its port, and only with it", () => {
    const url = `http://127.0.0.1:4000/api/v10/webhooks/42/${TOKEN}`;
    expect(parseDiscordWebhookUrl(url, { baseUrl: "http://127.0.0.1:4000/api/v10" })).toMatchObject({
      ok: true,
      webhookId: "42",
    });
    expect(parseDiscordWebhookUrl(url)).toEqual({ ok: false, reason: "unknown_host" });
    expect(parseDiscordWebhookUrl(url, { baseUrl: "not a url" })).toEqual({
      ok: false,
      reason: "unknown_host",
    });
  });

  it("says when only the thread id is wrong", () => {
    expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/1/${TOKEN}?thread_id=abc`)).toEqual({
      ok: false,
      reason: "not_a_webhook_path",
      badThreadId: true,
    });
  });

  it("reads no thread with ignoreQuery", () => {
    const url = `https://discord.com/api/webhooks/1/${TOKEN}?thread_id=abc`;
    expect(parseDiscordWebhookUrl(url, { ignoreQuery: true })).toEqual({
      ok: true,
      webhookId: "1",
      token: TOKEN,
      threadId: null,
    });
  });

  it.each([
    ["not a url", "not_a_url"],
    [`http://discord.com/api/webhooks/1/${TOKEN}`, "not_https"],
    [`https://evil.example/api/webhooks/1/${TOKEN}`, "unknown_host"],
    [`https://discord.com.evil.example/api/webhooks/1/${TOKEN}`, "unknown_host"],
    [`https://discord.com:8443/api/webhooks/1/${TOKEN}`, "unknown_host"],
    ["https://discord.com/api/webhooks/1", "not_a_webhook_path"],
    [`https://discord.com/api/channels/1/${TOKEN}`, "not_a_webhook_path"],
    [`https://discord.com/api/webhooks/abc/${TOKEN}`, "not_a_webhook_path"],
    [`https://discord.com/api/webhooks/1/${"t".repeat(257)}`, "not_a_webhook_path"],
    [`https://user:pw@discord.com/api/webhooks/1/${TOKEN}`, "not_a_webhook_path"],
    [`https://discord.com/api/webhooks/1/${TOKEN}?thread_id=abc`, "not_a_webhook_path"],
    [`https://discord.com/api/webhooks/1/${TOKEN}?thread_id=99999999999999999999`, "not_a_webhook_path"],
  ])("refuses %s (%s)", (url, reason) => {
    expect(parseDiscordWebhookUrl(url)).toMatchObject({ ok: false, reason });
  });
});
