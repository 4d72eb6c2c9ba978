import { z } from "zod";
import { field } from "./field";
import { snowflakeSchema } from "./snowflake";
import { type ConfigValues, defineConfigSpec } from "./spec";

/** The scopes `oauth_extra_scopes` accepts: those a kept member grant is for. */
export const MEMBER_GRANT_SCOPES: readonly string[] = Object.freeze([
  "role_connections.write",
  "guilds.join",
]);

const secretText = (what: string, extra?: { test: (v: string) => boolean; message: string }) =>
  z
    .string({ error: `must be text (the ${what})` })
    .trim()
    .min(1, `must not be empty (the ${what})`)
    .refine((v) => !extra || extra.test(v), extra?.message)
    .refine((v) => !/\s/.test(v), `must not contain spaces (paste the ${what} alone)`);

/**
 * Runtime configuration of the Discord module (module name `discord`), modelled on the seed
 * system's `Config`: OAuth2 client, bot token, guild and roles, sync interval. Stored values with
 * the legacy single `role_id` are read as `role_ids: [role_id]`.
 */
export const discordConfigSpec = defineConfigSpec({
  module: "discord",
  fields: {
    client_id: field(snowflakeSchema, {
      label: "Client ID",
      section: "oauth",
      help: "The Application ID from the Discord Developer Portal (General Information).",
    }),
    client_secret: field(secretText("client secret"), {
      label: "Client Secret",
      section: "oauth",
      secret: true,
      help: "From the Developer Portal's OAuth2 page. Keep this confidential.",
    }),
    bot_token: field(
      secretText("bot token", {
        test: (v) => !/^bot\s/i.test(v),
        message: "must be the token alone, without 'Bot '",
      }),
      {
        label: "Bot Token",
        section: "bot",
        secret: true,
        help: "From the Developer Portal's Bot page. The bot needs Manage Roles in the guild.",
      },
    ),
    guild_id: field(snowflakeSchema, {
      label: "Guild ID",
      section: "bot",
      help: "The Discord server whose roles are managed. Right-click the server → Copy Server ID.",
    }),
    role_ids: field(
      z
        .array(snowflakeSchema, { error: "must be a list of Discord role ids" })
        .max(25, "must list at most 25 roles")
        .transform((ids) => [...new Set(ids)]),
      {
        label: "Role IDs",
        section: "bot",
        help: "The roles paying members hold. Each must sit below the bot's highest role (Server Settings → Roles).",
      },
    ),
    sync_interval_hours: field(
      z.coerce
        .number({ error: "must be a whole number of hours between 1 and 168" })
        .int("must be a whole number of hours between 1 and 168")
        .min(1, "must be a whole number of hours between 1 and 168")
        .max(168, "must be a whole number of hours between 1 and 168"),
      {
        label: "Sync Interval (hours)",
        section: "sync",
        default: 24,
        help: "How often every linked member is re-checked against Discord, 1 to 168 hours (default 24).",
      },
    ),
    oauth_extra_scopes: field(
      z
        .array(
          z.string().refine((scope) => MEMBER_GRANT_SCOPES.includes(scope), {
            message: `must be one of ${MEMBER_GRANT_SCOPES.join(", ")}`,
          }),
          { error: `must be a list of OAuth2 scopes (${MEMBER_GRANT_SCOPES.join(", ")})` },
        )
        .transform((scopes) => [...new Set(scopes)]),
      {
        label: "Extra OAuth2 scopes",
        section: "oauth",
        default: [],
        help: "Scopes login and linking ask for besides identify and email: role_connections.write (Linked Roles), guilds.join (add linked members to the guild). The member's tokens are then kept, encrypted.",
      },
    ),
    join_guild_on_link: field(
      z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], {
        error: "must be true or false",
      }),
      {
        label: "Add linked members to the guild",
        section: "bot",
        default: false,
        help: "With guilds.join among the extra scopes: a paying member who links and is not in the guild is added with their roles (the bot needs Create Invite and Manage Roles).",
      },
    ),
  },
  upgrade: (values) => {
    if ("role_id" in values) {
      const { role_id: roleId, ...rest } = values;
      const hasRoleIds = Array.isArray(rest.role_ids) && rest.role_ids.length > 0;
      if (!hasRoleIds && typeof roleId === "string" && roleId.trim() !== "") rest.role_ids = [roleId.trim()];
      return rest;
    }
    if (typeof values.role_ids === "string") {
      const ids = values.role_ids
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      return { ...values, role_ids: ids };
    }
    return values;
  },
});

/** The typed values of {@link discordConfigSpec}. */
export type DiscordConfig = ConfigValues<typeof discordConfigSpec>;
