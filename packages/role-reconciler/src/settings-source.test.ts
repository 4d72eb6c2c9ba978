import type { ConfigStore, ConfigVersion } from "@guildkit/config";
import { describe, expect, it } from "vitest";
import { EntitlementRulesError } from "./errors";
import { createRoleSyncSettingsSource, requiredDiscordSettings } from "./settings-source";

const GUILD = "800000000000000001";
const ROLE = "900000000000000001";
const TOKEN = "bot-token.abc";

/** A config store holding one version per module (`values` by module name). */
function configStore(values: Record<string, Record<string, unknown>>): ConfigStore {
  const version = (module: string): ConfigVersion | null =>
    values[module]
      ? { module, version: 1, values: values[module]!, createdAt: new Date(0), createdBy: null }
      : null;
  return {
    secretBox: null,
    latest: async ({ module }) => version(module),
    save: async () => {
      throw new Error("read only");
    },
    history: async ({ module }) => [version(module)].filter((v): v is ConfigVersion => v !== null),
  };
}

describe("role-sync settings", () => {
  it("requires the bot token and the guild, and the role ids only without rules", () => {
    expect(requiredDiscordSettings(false)).toEqual(["bot_token", "guild_id", "role_ids"]);
    expect(requiredDiscordSettings(true)).toEqual(["bot_token", "guild_id"]);
  });

  it("is incomplete, naming what is missing (never values), until token, guild and role ids are set", async () => {
    const empty = createRoleSyncSettingsSource({ configStore: configStore({}) });
    expect(await empty.load()).toEqual({
      status: "incomplete",
      missing: ["bot_token", "guild_id", "role_ids"],
    });
    const noRoles = createRoleSyncSettingsSource({
      configStore: configStore({ discord: { bot_token: TOKEN, guild_id: GUILD, role_ids: [] } }),
    });
    expect(await noRoles.load()).toEqual({ status: "incomplete", missing: ["role_ids"] });
    const invalid = createRoleSyncSettingsSource({
      configStore: configStore({ discord: { bot_token: TOKEN, guild_id: "nope", role_ids: [ROLE] } }),
    });
    expect(await invalid.load()).toEqual({ status: "incomplete", missing: ["guild_id (invalid)"] });
  });

  it("resolves the default rule over the role ids, with the sync interval, and hands over the bot token", async () => {
    const source = createRoleSyncSettingsSource({
      configStore: configStore({
        discord: { bot_token: TOKEN, guild_id: GUILD, role_ids: [ROLE], sync_interval_hours: 6 },
      }),
    });
    expect(await source.load()).toEqual({
      status: "ready",
      botToken: TOKEN,
      settings: {
        guildId: GUILD,
        rules: [{ kind: "present", column: "payment_status", roleIds: [ROLE] }],
        syncIntervalMs: 6 * 3_600_000,
        lifecycle: { graceMs: 0, onLapse: "remove", managedGrantsOnly: false },
      },
    });
  });

  it("reads the lifecycle keys of the role_sync module: grace period in hours, on lapse, managed grants only", async () => {
    const source = createRoleSyncSettingsSource({
      configStore: configStore({
        discord: { bot_token: TOKEN, guild_id: GUILD, role_ids: [ROLE] },
        role_sync: { grace_period_hours: 72, on_lapse: "kick", managed_grants_only: true },
      }),
    });
    expect(await source.load()).toMatchObject({
      status: "ready",
      settings: { lifecycle: { graceMs: 72 * 3_600_000, onLapse: "kick", managedGrantsOnly: true } },
    });
  });

  it("runs on stored rules alone (role ids not required); rules given in code win over stored ones", async () => {
    const tier = { kind: "map", column: "tier", values: { gold: [ROLE] } };
    const store = configStore({
      discord: { bot_token: TOKEN, guild_id: GUILD },
      role_sync: { rules: [tier] },
    });
    const stored = await createRoleSyncSettingsSource({ configStore: store }).load();
    expect(stored).toMatchObject({
      status: "ready",
      settings: { rules: [tier], syncIntervalMs: 24 * 3_600_000 },
    });
    const present = { kind: "present", column: "paid", roleIds: [ROLE] };
    const coded = await createRoleSyncSettingsSource({ configStore: store, rules: [present] }).load();
    expect(coded).toMatchObject({ status: "ready", settings: { rules: [present] } });
    await expect(
      createRoleSyncSettingsSource({ configStore: store, rules: [{ kind: "nope" }] }).load(),
    ).rejects.toBeInstanceOf(EntitlementRulesError);
  });
});
