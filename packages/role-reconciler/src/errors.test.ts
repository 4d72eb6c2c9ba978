import { describe, expect, it } from "vitest";
import { discordError } from "../test/fakes";
import { classifyDiscordError, LeaseExpiredError } from "./errors";

const ctx = {
  operation: "add_role" as const,
  guildId: "800000000000000001",
  roleId: "900000000000000001",
  userId: "1",
};

describe("error classification", () => {
  it("treats 429, 5xx, timeouts and resets as transient", () => {
    expect(classifyDiscordError(discordError(429, null, { retryAfterMs: 1500 }), ctx)).toMatchObject({
      kind: "transient",
      retryAfterMs: 1500,
    });
    expect(classifyDiscordError(discordError(502, null), ctx).kind).toBe("transient");
    expect(classifyDiscordError(discordError(500, 0, { retryable: false }), ctx).kind).toBe("transient");
    expect(classifyDiscordError(discordError(null, null), ctx).kind).toBe("transient");
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(classifyDiscordError(reset, ctx).kind).toBe("transient");
    expect(classifyDiscordError(new TypeError("fetch failed"), ctx).kind).toBe("transient");
  });

  it("treats missing permissions or hierarchy as a permanent failure of that role, with what to do", () => {
    const v = classifyDiscordError(discordError(403, 50013), ctx);
    expect(v).toMatchObject({ kind: "permanent", scope: "role" });
    expect(v.kind === "permanent" && v.reason).toMatch(/move the bot's role above it/);
  });

  it("treats an unknown role as permanent for that role", () => {
    const v = classifyDiscordError(discordError(404, 10011), ctx);
    expect(v).toMatchObject({ kind: "permanent", scope: "role" });
    expect(v.kind === "permanent" && v.reason).toMatch(/update the role settings/);
  });

  it("treats missing access, a bad token and an unknown guild as guild-wide", () => {
    expect(classifyDiscordError(discordError(403, 50001), ctx)).toMatchObject({
      kind: "permanent",
      scope: "guild",
    });
    expect(classifyDiscordError(discordError(401, 0), ctx)).toMatchObject({
      kind: "permanent",
      scope: "guild",
    });
    expect(classifyDiscordError(discordError(404, 10004), ctx)).toMatchObject({
      kind: "permanent",
      scope: "guild",
    });
  });

  it("treats 50001 on List Guild Members as the members intent being off (bulk only)", () => {
    const v = classifyDiscordError(discordError(403, 50001), { operation: "list_members", guildId: "1" });
    expect(v).toMatchObject({ kind: "permanent", scope: "bulk" });
    expect(v.kind === "permanent" && v.reason).toMatch(/Server Members intent/);
  });

  it("treats unknown member and unknown user as not in the guild", () => {
    expect(classifyDiscordError(discordError(404, 10007), ctx).kind).toBe("not_in_guild");
    expect(classifyDiscordError(discordError(404, 10013), ctx).kind).toBe("not_in_guild");
  });

  it("treats aborts and expired leases as aborted", () => {
    expect(classifyDiscordError(Object.assign(new Error("x"), { name: "AbortError" }), ctx).kind).toBe(
      "aborted",
    );
    expect(classifyDiscordError(new LeaseExpiredError("1", new Date(0)), ctx).kind).toBe("aborted");
  });

  it("treats other 4xx as permanent for this member", () => {
    expect(classifyDiscordError(discordError(400, 50035), ctx)).toMatchObject({
      kind: "permanent",
      scope: "member",
    });
  });
});
