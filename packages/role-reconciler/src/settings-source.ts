import { type ConfigStore, createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { roleSyncConfigSpec } from "./config";
import { resolveRules } from "./entitlement";
import type { IoOptions } from "./ports";
import type { RoleSyncSettings } from "./reconcile";
import { syncIntervalMs } from "./schedule";

/** The `discord` settings role sync needs. */
export type RequiredDiscordSetting = "bot_token" | "guild_id" | "role_ids";

/**
 * Which `discord` settings role sync cannot run without: the bot token and the guild always; the
 * role ids only when no entitlement rules are configured (the default rule grants them).
 */
export function requiredDiscordSettings(hasRules: boolean): readonly RequiredDiscordSetting[] {
  return hasRules ? ["bot_token", "guild_id"] : ["bot_token", "guild_id", "role_ids"];
}

/** What {@link RoleSyncSettingsSource.load} found. */
export type RoleSyncSettingsLoad =
  | {
      status: "ready";
      settings: RoleSyncSettings;
      /** The bot token the Discord client is built with (a secret: never log it). */
      botToken: string;
    }
  | {
      status: "incomplete";
      /** The settings missing or invalid, by name (never values), e.g. `["bot_token", "role_ids (invalid)"]`. */
      missing: string[];
    };

/** Loads the role-sync settings from the configuration store, per use (a change needs no restart). */
export interface RoleSyncSettingsSource {
  load(io?: IoOptions): Promise<RoleSyncSettingsLoad>;
}

/**
 * The settings of role sync, read from the `discord` module (bot token, guild, role ids, sync
 * interval) and the `role_sync` module (entitlement rules; the lifecycle: grace period, on lapse,
 * managed grants only) of a configuration store on every load.
 * `rules` given here (data, validated like the stored ones) win over the stored rules. Without
 * rules, the default rule grants the `discord` module's `role_ids`, which are then required (and
 * must not be empty).
 *
 * @throws `EntitlementRulesError` from `load` when the rules are invalid.
 */
export function createRoleSyncSettingsSource(opts: {
  configStore: ConfigStore;
  rules?: unknown;
}): RoleSyncSettingsSource {
  const discord = createConfigLoader({ store: opts.configStore, spec: discordConfigSpec });
  const rulesConfig = createConfigLoader({ store: opts.configStore, spec: roleSyncConfigSpec });
  return {
    async load(io) {
      const stored = await rulesConfig.load({ signal: io?.signal });
      const configured = opts.rules === undefined ? stored.rules : opts.rules;
      const hasRules = configured !== undefined && configured !== null;
      const loaded = await discord.loadComplete(requiredDiscordSettings(hasRules), { signal: io?.signal });
      if (!loaded.ok) {
        return {
          status: "incomplete",
          missing: [...loaded.missing, ...loaded.invalid.map((issue) => `${issue.field} (invalid)`)],
        };
      }
      const { bot_token: botToken, guild_id: guildId } = loaded.values;
      const roleIds = loaded.values.role_ids ?? [];
      if (roleIds.length === 0 && !hasRules) return { status: "incomplete", missing: ["role_ids"] };
      const rules = resolveRules({ roleIds, rules: configured });
      const settings = {
        guildId,
        rules,
        syncIntervalMs: syncIntervalMs(loaded.values.sync_interval_hours),
        lifecycle: {
          graceMs: stored.grace_period_hours * 3_600_000,
          onLapse: stored.on_lapse,
          managedGrantsOnly: stored.managed_grants_only,
        },
      };
      return { status: "ready", settings, botToken };
    },
  };
}
