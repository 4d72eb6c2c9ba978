import { describe, expect, it } from "vitest";
import { fallbackBucketKey, routes } from "./route";

describe("routes", () => {
  it("names routes by template with :id placeholders and keys buckets by the major parameter", () => {
    const route = routes.getGuildMember("1", "2");
    expect(route).toMatchObject({
      method: "GET",
      path: "/guilds/1/members/2",
      template: "GET /guilds/:guild/members/:user",
      major: "guild:1",
      auth: true,
    });
    expect(fallbackBucketKey(route)).toBe("route:/guilds/:guild/members/:user|guild:1");
  });

  it("keeps webhook tokens out of the template and the bucket key, and sends no bot auth", () => {
    const token = "very-secret-token";
    const route = routes.executeWebhook("99", token);
    expect(route.path).toBe(`/webhooks/99/${token}`);
    expect(route.template).toBe("POST /webhooks/:webhook/:token");
    expect(route.major).not.toContain(token);
    expect(route.major.startsWith("webhook:99:")).toBe(true);
    expect(route.auth).toBe(false);
    expect(routes.executeWebhook("99", "other").major).not.toBe(route.major);
  });

  it("encodes path segments", () => {
    expect(routes.getGuildRoles("a/b").path).toBe("/guilds/a%2Fb/roles");
  });
});
