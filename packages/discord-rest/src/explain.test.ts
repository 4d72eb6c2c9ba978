import { describe, expect, it } from "vitest";
import { explainDiscordError, flattenFormErrors } from "./explain";

describe("explainDiscordError", () => {
  it("tells the operator to move the bot's role for 403 50013 on a role route", () => {
    const message = explainDiscordError({
      route: "PUT /guilds/:guild/members/:user/roles/:role",
      status: 403,
      code: 50013,
      discordMessage: "Missing Permissions",
    });
    expect(message).toContain("403 Missing Permissions (code 50013)");
    expect(message).toContain("move the bot's role above it in Server Settings → Roles");
  });

  it("points at the Server Members intent for 50001 on list members", () => {
    const message = explainDiscordError({
      route: "GET /guilds/:guild/members",
      status: 403,
      code: 50001,
      discordMessage: "Missing Access",
    });
    expect(message).toContain("Server Members Intent");
  });

  it("lists the first field errors of a 50035", () => {
    const errors = {
      content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] },
      embeds: { "0": { title: { _errors: [{ code: "X", message: "too long" }] } } },
    };
    expect(flattenFormErrors(errors)).toEqual([
      "content: Must be 2000 or fewer in length.",
      "embeds.0.title: too long",
    ]);
    const message = explainDiscordError({
      route: "POST /webhooks/:webhook/:token",
      status: 400,
      code: 50035,
      discordMessage: "Invalid Form Body",
      errors,
    });
    expect(message).toContain("content: Must be 2000 or fewer in length.");
  });
});
