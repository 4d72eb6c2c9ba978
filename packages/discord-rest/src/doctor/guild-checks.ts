import type { DiscordRest } from "../client";
import {
  DISCORD_PERMISSIONS,
  guildPermissions,
  highestRole,
  isBelow,
  type PermissionRole,
} from "./permissions";
import { fail, pass, skip, statusOf, unreachable, warn } from "./result";
import type { SetupCheckResult } from "./types";

/** What the guild checks learned: the roles and the bot's place among them. */
export interface GuildView {
  roles: PermissionRole[];
  botRoles: string[];
  botTop: PermissionRole | null;
}

const GUILD = "the bot is in the guild";

/** Get Guild Roles and the bot's own member: the bot is in the guild `guild_id` names. */
export async function checkGuild(
  rest: DiscordRest,
  input: { guildId: string | null; botId: string; inviteUrl: string | null; signal?: AbortSignal },
): Promise<{ result: SetupCheckResult; view: GuildView | null }> {
  const invite = input.inviteUrl
    ? `Invite it with ${input.inviteUrl}`
    : "Invite it (OAuth2 → URL Generator, scope bot)";
  if (!input.guildId) {
    return {
      result: fail(
        "guild",
        GUILD,
        "guild_id is not set.",
        "Turn on Developer Mode (User Settings → Advanced), right-click the server → Copy Server ID, and save it as the Discord setting guild_id.",
      ),
      view: null,
    };
  }
  try {
    const roles = (await rest.getGuildRoles({
      guildId: input.guildId,
      signal: input.signal,
    })) as PermissionRole[];
    const member = await rest.getGuildMember({
      guildId: input.guildId,
      userId: input.botId,
      signal: input.signal,
    });
    if (!member) throw Object.assign(new Error("bot member not found"), { status: 404, code: 10007 });
    const view = { roles, botRoles: member.roles, botTop: highestRole(roles, member.roles) };
    return {
      result: pass("guild", GUILD, `the bot is a member of guild ${input.guildId} (${roles.length} roles).`),
      view,
    };
  } catch (error) {
    const { status, code } = statusOf(error);
    if (status === 404 || (status === 403 && code === 50001)) {
      return {
        result: fail(
          "guild",
          GUILD,
          `Discord says the bot cannot see guild ${input.guildId} (${status} ${code ?? ""}): it is not in it, or guild_id is wrong.`.replace(
            " )",
            ")",
          ),
          `${invite} and pick the server; or fix guild_id (right-click the server → Copy Server ID).`,
        ),
        view: null,
      };
    }
    return { result: unreachable("guild", GUILD, error), view: null };
  }
}

const INTENT = "Server Members intent enabled";
const INTENT_FIX =
  "Developer Portal → your application → Bot → Privileged Gateway Intents → turn on Server Members Intent → Save Changes (bulk reconciliation lists the guild's members).";
// GATEWAY_GUILD_MEMBERS (verified apps) and GATEWAY_GUILD_MEMBERS_LIMITED.
const MEMBERS_FLAGS = (1 << 14) | (1 << 15);

/** List Guild Members answers (403 50001 without the intent); the application flags explain a refusal. */
export async function checkMembersIntent(
  rest: DiscordRest,
  input: { guildId: string | null; inGuild: boolean; flags: number | null; signal?: AbortSignal },
): Promise<SetupCheckResult> {
  const flagged = input.flags === null ? null : (input.flags & MEMBERS_FLAGS) !== 0;
  if (!input.guildId || !input.inGuild) {
    if (flagged === false)
      return fail(
        "members_intent",
        INTENT,
        "the application's flags say the Server Members intent is off.",
        INTENT_FIX,
      );
    if (flagged === true)
      return pass("members_intent", INTENT, "the application's flags say the Server Members intent is on.");
    return skip("members_intent", INTENT, "needs the bot in the guild.");
  }
  try {
    await rest.listGuildMembers({ guildId: input.guildId, limit: 1, signal: input.signal });
    return pass("members_intent", INTENT, "List Guild Members answers.");
  } catch (error) {
    const { status, code } = statusOf(error);
    if (status === 403 && code === 50001) {
      return fail(
        "members_intent",
        INTENT,
        "List Guild Members is refused (403 50001 Missing Access): the Server Members intent is off.",
        INTENT_FIX,
      );
    }
    return unreachable("members_intent", INTENT, error);
  }
}

function roleFix(view: GuildView, what: string, inviteUrl: string | null): string {
  const botRole = view.botTop ? `"${view.botTop.name}"` : "the bot's role";
  return `Server Settings → Roles → ${botRole} → Permissions → turn on ${what} → Save${inviteUrl ? `; or invite the bot again with ${inviteUrl}` : ""}.`;
}

/** Manage Roles (always needed) and Manage Webhooks (the relay), from the bot's roles. */
export function checkPermissions(
  view: GuildView | null,
  input: { guildId: string; inviteUrl: string | null; needsManageWebhooks: boolean },
): SetupCheckResult[] {
  const rolesTitle = "the bot has Manage Roles";
  const hooksTitle = "the bot has Manage Webhooks";
  if (!view)
    return [
      skip("manage_roles", rolesTitle, "needs the bot in the guild."),
      skip("manage_webhooks", hooksTitle, "needs the bot in the guild."),
    ];
  const bits = guildPermissions(input.guildId, view.roles, view.botRoles);
  const results: SetupCheckResult[] = [];
  results.push(
    (bits & DISCORD_PERMISSIONS.MANAGE_ROLES) !== 0n
      ? pass("manage_roles", rolesTitle, "granted by the bot's roles.")
      : fail(
          "manage_roles",
          rolesTitle,
          "none of the bot's roles (nor @everyone) grants Manage Roles: every role change is refused (403 50013).",
          roleFix(view, "Manage Roles", input.inviteUrl),
        ),
  );
  if ((bits & DISCORD_PERMISSIONS.MANAGE_WEBHOOKS) !== 0n) {
    results.push(pass("manage_webhooks", hooksTitle, "granted by the bot's roles."));
  } else {
    const message =
      "the bot lacks Manage Webhooks: the PluralKit relay cannot list channel webhooks (403 50013).";
    const fix = roleFix(view, "Manage Webhooks", input.inviteUrl);
    results.push(
      input.needsManageWebhooks
        ? fail("manage_webhooks", hooksTitle, message, fix)
        : warn("manage_webhooks", hooksTitle, `${message} Only the relay needs it.`, fix),
    );
  }
  return results;
}

/** Each role guildkit grants exists, is not @everyone or managed, and sits below the bot's highest role. */
export function checkRoles(
  view: GuildView | null,
  input: { guildId: string; roleIds: readonly string[] },
): SetupCheckResult[] {
  if (input.roleIds.length === 0) {
    return [
      fail(
        "roles",
        "roles to grant are configured",
        "no role is configured: role_ids is empty and no rule names a role.",
        "Save the ids of the paid roles as the Discord setting role_ids (Server Settings → Roles → ⋯ → Copy Role ID, with Developer Mode on).",
      ),
    ];
  }
  return input.roleIds.map((roleId) => {
    const id = `role:${roleId}`;
    const title = `role ${roleId} can be granted`;
    if (!view) return skip(id, title, "needs the bot in the guild.");
    const role = view.roles.find((r) => r.id === roleId);
    if (roleId === input.guildId) {
      return fail(
        id,
        `role @everyone can be granted`,
        `${roleId} is the guild's @everyone role, which every member holds and nobody grants.`,
        "Remove it from role_ids (and the rules) and use a role you created.",
      );
    }
    if (!role) {
      return fail(
        id,
        title,
        `no role ${roleId} in guild ${input.guildId}: it was deleted or the id is from another server.`,
        "Copy the role id again (Server Settings → Roles → ⋯ → Copy Role ID) and fix role_ids or the rule that names it.",
      );
    }
    const named = `role "${role.name}" can be granted`;
    if (role.managed) {
      return fail(
        id,
        named,
        `"${role.name}" is managed by an integration (a bot's own role, boosters, a subscription): Discord lets nobody grant it.`,
        `Use a role you created instead of "${role.name}" in role_ids or the rules.`,
      );
    }
    const top = view.botTop;
    if (!top || !isBelow(role, top)) {
      const botRole = top ? `"${top.name}" (position ${top.position})` : "the bot's role";
      return fail(
        id,
        named,
        `"${role.name}" (position ${role.position}) is not below the bot's highest role ${botRole}: Discord refuses every change of it (403 50013).`,
        `Server Settings → Roles, drag ${top ? `"${top.name}"` : "the bot's role"} above "${role.name}" and save (the bot can only grant roles below its highest role).`,
      );
    }
    return pass(id, named, `position ${role.position}, below the bot's "${top.name}" (${top.position}).`);
  });
}
