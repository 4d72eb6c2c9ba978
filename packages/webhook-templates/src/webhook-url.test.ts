import { describe, expect, it } from "vitest";
import { WebhookUrlError } from "./errors";
import { maskWebhookUrl, parseWebhookUrl } from "./webhook-url";

const TOKEN = "aBc-123_xyz";

describe("parseWebhookUrl", () => {
  it("parses Discord's webhook URLs", () => {
    expect(parseWebhookUrl(`https://discord.com/api/webhooks/123456789012345678/${TOKEN}`)).toEqual({
      webhookId: "123456789012345678",
      token: TOKEN,
      threadId: null,
    });
    expect(
      parseWebhookUrl(
        `https://canary.discordapp.com/api/v10/webhooks/1/${TOKEN}/?thread_id=123456789012345678`,
      ),
    ).toEqual({
      webhookId: "1",
      token: TOKEN,
      threadId: "123456789012345678",
    });
  });

  it("accepts a simulator's URLs when its base is given", () => {
    const url = `http://127.0.0.1:4000/api/v10/webhooks/42/${TOKEN}`;
    expect(parseWebhookUrl(url, { baseUrl: "http://127.0.0.1:4000/api/v10" }).webhookId).toBe("42");
    expect(() => parseWebhookUrl(url)).toThrow(WebhookUrlError);
  });

  const refused: [string, string][] = [
    ["not a url", "not_a_url"],
    [`http://discord.com/api/webhooks/1/${TOKEN}`, "not_https"],
    [`https://evil.example/api/webhooks/1/${TOKEN}`, "unknown_host"],
    [`https://discord.com.evil.example/api/webhooks/1/${TOKEN}`, "unknown_host"],
    [`https://discord.com:8443/api/webhooks/1/${TOKEN}`, "unknown_host"],
    ["https://discord.com/api/webhooks/1", "not_a_webhook_path"],
    [`https://discord.com/api/channels/1/${TOKEN}`, "not_a_webhook_path"],
    [`https://user:pw@discord.com/api/webhooks/1/${TOKEN}`, "not_a_webhook_path"],
    [`https://discord.com/api/webhooks/1/${TOKEN}?thread_id=abc`, "not_a_webhook_path"],
  ];
  it.each(refused)("refuses %s (%s) without repeating the URL", (url, reason) => {
    try {
      parseWebhookUrl(url);
    } catch (err) {
      expect(err).toBeInstanceOf(WebhookUrlError);
      expect((err as WebhookUrlError).reason).toBe(reason);
      expect((err as Error).message).not.toContain(TOKEN);
      return;
    }
    throw new Error("expected a WebhookUrlError");
  });
});

describe("maskWebhookUrl", () => {
  it("hides the token", () => {
    expect(maskWebhookUrl(`https://discord.com/api/webhooks/123/${TOKEN}`)).toBe(
      "https://discord.com/api/webhooks/123/****",
    );
    expect(maskWebhookUrl(`garbage ${TOKEN}`)).toBe("****");
  });
});
