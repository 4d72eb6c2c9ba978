import { describe, expect, it } from "vitest";
import { DiscordWebhookUrlError } from "./errors";
import { parseWebhookUrl } from "./webhook-url";

const TOKEN = "s3cr3t-Token_value";

describe("parseWebhookUrl", () => {
  it.each([
    `https://discord.com/api/webhooks/123456789012345678/${TOKEN}`,
    `https://discordapp.com/api/webhooks/123456789012345678/${TOKEN}`,
    `https://ptb.discord.com/api/v10/webhooks/123456789012345678/${TOKEN}/`,
    `https://canary.discordapp.com/api/webhooks/123456789012345678/${TOKEN}?thread_id=1`,
  ])("accepts %s", (url) => {
    expect(parseWebhookUrl(url)).toEqual({ id: "123456789012345678", token: TOKEN });
  });

  it("accepts URLs on the given base's origin (a simulator) over http", () => {
    const url = `http://127.0.0.1:4000/api/webhooks/42/${TOKEN}`;
    expect(parseWebhookUrl(url, { baseUrl: "http://127.0.0.1:4000/api/v10" })).toEqual({
      id: "42",
      token: TOKEN,
    });
  });

  it.each([
    ["not a url", "not_a_url"],
    [`https://example.com/api/webhooks/1/${TOKEN}`, "unknown_host"],
    [`http://discord.com/api/webhooks/1/${TOKEN}`, "not_https"],
    [`https://discord.com/api/channels/1/${TOKEN}`, "not_a_webhook_path"],
    [`https://discord.com/api/webhooks/abc/${TOKEN}`, "not_a_webhook_path"],
    // The rules of @guildkit/core, shared with @guildkit/webhook-templates:
    [`https://discord.com:8443/api/webhooks/1/${TOKEN}`, "unknown_host"],
    [`https://user:pw@discord.com/api/webhooks/1/${TOKEN}`, "not_a_webhook_path"],
  ])("rejects %s with reason %s, without repeating the token", (url, reason) => {
    try {
      parseWebhookUrl(url);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DiscordWebhookUrlError);
      expect((error as DiscordWebhookUrlError).reason).toBe(reason);
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });
});
