import { describe, expect, it } from "vitest";
import { describeConfig } from "./describe";
import { discordConfigSpec } from "./discord";
import { maskSecret, maskSecrets } from "./mask";

describe("maskSecrets", () => {
  it("shows secrets as •••• plus their last 4 characters, unset secrets as empty", () => {
    const masked = maskSecrets(discordConfigSpec, {
      client_id: "100000000000000001",
      client_secret: "abcdefghijklmnop1234",
      bot_token: null,
      guild_id: "200000000000000002",
    });
    expect(masked).toEqual({
      client_id: "100000000000000001",
      client_secret: "••••1234",
      bot_token: "",
      guild_id: "200000000000000002",
      role_ids: null,
      sync_interval_hours: null,
      oauth_extra_scopes: null,
      join_guild_on_link: null,
    });
  });

  it("shows only the mask for a secret too short to reveal 4 characters of", () => {
    expect(maskSecret("short-1")).toBe("••••");
    expect(maskSecret("")).toBe("");
    expect(maskSecret(undefined)).toBe("");
  });

  it("drops keys that are not in the spec (they may be secrets of an older shape)", () => {
    expect(maskSecrets(discordConfigSpec, { legacy_secret: "x" })).not.toHaveProperty("legacy_secret");
  });
});

describe("describeConfig", () => {
  it("describes every field with label, section, help, secret flag and a masked value", () => {
    const fields = describeConfig(discordConfigSpec, {
      client_secret: "abcdefghijklmnop1234",
      guild_id: "200000000000000002",
    });
    expect(fields.map((f) => f.key)).toEqual([
      "client_id",
      "client_secret",
      "bot_token",
      "guild_id",
      "role_ids",
      "sync_interval_hours",
      "oauth_extra_scopes",
      "join_guild_on_link",
    ]);
    expect(fields.find((f) => f.key === "client_secret")).toMatchObject({
      label: "Client Secret",
      section: "oauth",
      secret: true,
      isSet: true,
      value: "••••1234",
      default: null,
    });
    expect(fields.find((f) => f.key === "bot_token")).toMatchObject({
      section: "bot",
      isSet: false,
      value: "",
    });
    expect(fields.find((f) => f.key === "sync_interval_hours")).toMatchObject({
      section: "sync",
      isSet: false,
      value: 24,
      default: 24,
    });
    expect(fields.find((f) => f.key === "client_id")?.help).toContain("Application ID");
    expect(JSON.stringify(fields)).not.toContain("abcdefghijklmnop");
  });
});
