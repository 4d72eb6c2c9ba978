import { describe, expect, it } from "vitest";
import { z } from "zod";
import { discordConfigSpec } from "./discord";
import { ConfigValidationError } from "./errors";
import { field } from "./field";
import { defineConfigSpec } from "./spec";
import { checkConfig, validateConfig } from "./validate";

const good = {
  client_id: "100000000000000001",
  client_secret: "client-secret-value-1234",
  bot_token: "MTAw.abc.def-ghi",
  guild_id: "200000000000000002",
  role_ids: ["300000000000000003"],
  sync_interval_hours: 12,
  oauth_extra_scopes: ["guilds.join"],
  join_guild_on_link: true,
};

describe("validateConfig", () => {
  it("returns typed values, unset fields as their default or null", () => {
    const values = validateConfig(discordConfigSpec, { guild_id: " 200000000000000002 " });
    expect(values).toEqual({
      client_id: null,
      client_secret: null,
      bot_token: null,
      guild_id: "200000000000000002",
      role_ids: null,
      sync_interval_hours: 24,
      oauth_extra_scopes: [],
      join_guild_on_link: false,
    });
  });

  it("accepts a complete Discord configuration", () => {
    expect(validateConfig(discordConfigSpec, good)).toEqual(good);
  });

  it("lists every bad field in issues and names them all in the message", () => {
    const error = (() => {
      try {
        validateConfig(discordConfigSpec, {
          ...good,
          client_id: "abc",
          guild_id: 42,
          role_ids: ["300000000000000003", "nope"],
          sync_interval_hours: 169,
          bot_token: "Bot MTAw.abc.def",
          colour: "red",
        });
      } catch (e) {
        return e;
      }
    })() as ConfigValidationError;
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.code).toBe("config_invalid");
    expect(error.module).toBe("discord");
    const fields = error.issues.map((i) => i.field);
    expect(fields).toEqual([
      "client_id",
      "bot_token",
      "guild_id",
      "role_ids",
      "sync_interval_hours",
      "colour",
    ]);
    for (const f of fields) expect(error.message).toContain(`${f}:`);
    expect(error.issues.find((i) => i.field === "role_ids")?.message).toMatch(/^item 1: /);
    expect(error.issues.find((i) => i.field === "sync_interval_hours")?.message).toBe(
      "must be a whole number of hours between 1 and 168",
    );
    expect(error.issues.find((i) => i.field === "bot_token")?.message).toContain("without 'Bot '");
  });

  it("never echoes a submitted value in the error", () => {
    const secret = "super secret value with spaces";
    try {
      validateConfig(discordConfigSpec, { client_secret: secret, bot_token: secret });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain("super secret");
      expect(JSON.stringify(e)).not.toContain("super secret");
    }
  });

  it("reads the legacy single role_id as role_ids", () => {
    expect(validateConfig(discordConfigSpec, { role_id: "300000000000000003" }).role_ids).toEqual([
      "300000000000000003",
    ]);
    const both = validateConfig(discordConfigSpec, {
      role_id: "300000000000000003",
      role_ids: ["400000000000000004"],
    });
    expect(both.role_ids).toEqual(["400000000000000004"]);
  });

  it("accepts a comma-separated role list and drops duplicates", () => {
    expect(
      validateConfig(discordConfigSpec, {
        role_ids: "300000000000000003, 400000000000000004,300000000000000003",
      }).role_ids,
    ).toEqual(["300000000000000003", "400000000000000004"]);
  });

  it("coerces a numeric string interval and rejects 0 and fractions", () => {
    expect(validateConfig(discordConfigSpec, { sync_interval_hours: "48" }).sync_interval_hours).toBe(48);
    expect(checkConfig(discordConfigSpec, { sync_interval_hours: 0 }).issues).toHaveLength(1);
    expect(checkConfig(discordConfigSpec, { sync_interval_hours: 1.5 }).issues).toHaveLength(1);
  });

  it("treats empty strings and empty lists as unset", () => {
    const check = checkConfig(discordConfigSpec, { guild_id: "", role_ids: [], bot_token: "   " });
    expect(check.issues).toEqual([]);
    expect(check.unset).toEqual([
      "client_id",
      "client_secret",
      "bot_token",
      "guild_id",
      "role_ids",
      "sync_interval_hours",
      "oauth_extra_scopes",
      "join_guild_on_link",
    ]);
  });

  it("refuses an extra scope a kept grant is not for, and reads the join opt-in from text", () => {
    expect(checkConfig(discordConfigSpec, { oauth_extra_scopes: ["guilds.join", "bot"] }).issues).toEqual([
      {
        field: "oauth_extra_scopes",
        message: expect.stringContaining("role_connections.write, guilds.join"),
      },
    ]);
    expect(validateConfig(discordConfigSpec, { join_guild_on_link: "true" }).join_guild_on_link).toBe(true);
    expect(checkConfig(discordConfigSpec, { join_guild_on_link: "yes" }).issues).toHaveLength(1);
  });

  it("ignores keys outside the spec when loading, reports them when saving", () => {
    expect(checkConfig(discordConfigSpec, { old_key: 1 }, { unknownKeys: "ignore" }).issues).toEqual([]);
    expect(checkConfig(discordConfigSpec, { old_key: 1 }, { unknownKeys: "reject" }).issues).toEqual([
      { field: "old_key", message: "is not a discord setting" },
    ]);
  });

  it("defineConfigSpec works for any module and types defaults as always set", () => {
    const spec = defineConfigSpec({
      module: "greeter",
      fields: {
        greeting: field(z.string().min(1), { label: "Greeting", section: "general", default: "hello" }),
        target: field(z.string().min(1), { label: "Target", section: "general" }),
      },
    });
    const values = validateConfig(spec, {});
    const greeting: string = values.greeting;
    const target: string | null = values.target;
    expect([greeting, target]).toEqual(["hello", null]);
    expect(() => defineConfigSpec({ module: "Bad Name", fields: {} })).toThrow(TypeError);
  });
});
