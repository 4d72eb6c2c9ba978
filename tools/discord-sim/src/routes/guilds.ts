import type { Hono } from "hono";
import type { SimContext } from "../context";
import { DISCORD_ERRORS, invalidFormBody, notSnowflake } from "../errors";
import { apiGuild, apiMember, apiRole } from "../objects";
import { hasPermission, outranksRole, PERMISSIONS } from "../permissions";
import {
  auditLogReason,
  discordError,
  discordRoute,
  type Principal,
  type SimEnv,
  type SimHonoContext,
} from "../pipeline";
import { compareSnowflakes, isSnowflake } from "../snowflake";
import type { GuildState, RoleState, SimState } from "../state";

const byGuild = (c: SimHonoContext) => c.req.param("guild") ?? "";

/** A guild's roles by position (ties by id), `@everyone` first. */
export function sortedRoles(guild: GuildState): RoleState[] {
  return [...guild.roles.values()].sort((a, b) => a.position - b.position || compareSnowflakes(a.id, b.id));
}

/**
 * The guild of the path the bot may act in, or the error to answer: 50035 for a bad id, 10004 Unknown
 * Guild, 50001 Missing Access when the bot is not a member.
 */
export function botGuild(
  state: SimState,
  c: SimHonoContext,
  principal: Principal | null,
): { guild: GuildState; botUserId: string } | Response {
  const guildId = c.req.param("guild") ?? "";
  if (!isSnowflake(guildId)) return c.json(notSnowflake("guild_id", guildId), 400);
  const guild = state.guilds.get(guildId);
  if (!guild) return discordError(c, DISCORD_ERRORS.unknownGuild);
  const botUserId = principal?.userId ?? "";
  if (!guild.members.has(botUserId)) return discordError(c, DISCORD_ERRORS.missingAccess);
  return { guild, botUserId };
}

/** Guild routes: get guild, get/list members, add/remove member roles, list roles. */
export function registerGuildRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;

  const guildFor = (c: SimHonoContext, principal: Principal | null) => botGuild(state, c, principal);

  app.get(
    "/api/v10/guilds/:guild/members/:user",
    discordRoute(ctx, { route: "get_member", auth: "bot", major: byGuild }, (c, principal) => {
      const userId = c.req.param("user") ?? "";
      if (!isSnowflake(userId)) return c.json(notSnowflake("user_id", userId), 400);
      const found = guildFor(c, principal);
      if (found instanceof Response) return found;
      const member = found.guild.members.get(userId);
      const user = state.users.get(userId);
      if (!user) return discordError(c, DISCORD_ERRORS.unknownUser);
      if (!member) return discordError(c, DISCORD_ERRORS.unknownMember);
      return c.json(apiMember(member, user));
    }),
  );

  app.get(
    "/api/v10/guilds/:guild/members",
    discordRoute(ctx, { route: "list_members", auth: "bot", major: byGuild }, (c, principal) => {
      const rawLimit = c.req.query("limit");
      const rawAfter = c.req.query("after");
      const issues: Parameters<typeof invalidFormBody>[0] = [];
      let limit = 1;
      if (rawLimit !== undefined) {
        if (!/^-?\d+$/.test(rawLimit)) {
          issues.push({
            path: ["limit"],
            leaf: { code: "NUMBER_TYPE_COERCE", message: `Value "${rawLimit}" is not int.` },
          });
        } else {
          limit = Number(rawLimit);
          if (limit < 1) {
            issues.push({
              path: ["limit"],
              leaf: { code: "NUMBER_TYPE_MIN", message: "int value should be greater than or equal to 1." },
            });
          } else if (limit > 1000) {
            issues.push({
              path: ["limit"],
              leaf: { code: "NUMBER_TYPE_MAX", message: "int value should be less than or equal to 1000." },
            });
          }
        }
      }
      let after = "0";
      if (rawAfter !== undefined) {
        if (!isSnowflake(rawAfter)) {
          issues.push({
            path: ["after"],
            leaf: { code: "NUMBER_TYPE_COERCE", message: `Value "${rawAfter}" is not snowflake.` },
          });
        } else {
          after = BigInt(rawAfter).toString();
        }
      }
      if (issues.length > 0) return c.json(invalidFormBody(issues), 400);
      const found = guildFor(c, principal);
      if (found instanceof Response) return found;
      const { guild } = found;
      // Without the Server Members intent Discord answers 403 50001 (Discord.Net#1908,
      // discordgo#820); resources/guild#list-guild-members: "requires the GUILD_MEMBERS Privileged Intent".
      const app = principal?.kind === "bot" ? principal.app : null;
      if (!guild.membersIntent || app?.membersIntent === false) {
        return discordError(c, DISCORD_ERRORS.missingAccess);
      }
      const order = state.memberOrder(guild);
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareSnowflakes(order[mid] ?? "", after) <= 0) lo = mid + 1;
        else hi = mid;
      }
      const page = [];
      for (let i = lo; i < order.length && page.length < limit; i++) {
        const userId = order[i] ?? "";
        const member = guild.members.get(userId);
        const user = state.users.get(userId);
        if (member && user) page.push(apiMember(member, user));
      }
      return c.json(page);
    }),
  );

  const roleChange = (action: "add" | "remove") =>
    discordRoute(ctx, { route: "member_role", auth: "bot", major: byGuild }, (c, principal) => {
      const userId = c.req.param("user") ?? "";
      const roleId = c.req.param("role") ?? "";
      if (!isSnowflake(userId)) return c.json(notSnowflake("user_id", userId), 400);
      if (!isSnowflake(roleId)) return c.json(notSnowflake("role_id", roleId), 400);
      const found = guildFor(c, principal);
      if (found instanceof Response) return found;
      const { guild, botUserId } = found;
      const role = guild.roles.get(roleId);
      if (!role || role.id === guild.id) return discordError(c, DISCORD_ERRORS.unknownRole);
      const member = guild.members.get(userId);
      if (!member) return discordError(c, DISCORD_ERRORS.unknownMember);
      // MANAGE_ROLES, then the hierarchy: only roles below the bot's highest (topics/permissions#permission-hierarchy);
      // a managed role (a bot's, a booster or integration role) cannot be given or taken by anyone.
      if (
        !hasPermission(guild, botUserId, PERMISSIONS.MANAGE_ROLES) ||
        role.managed ||
        !outranksRole(guild, botUserId, role.position)
      ) {
        return discordError(c, DISCORD_ERRORS.missingPermissions);
      }
      const has = member.roles.includes(roleId);
      if (action === "add" ? !has : has) {
        member.roles =
          action === "add" ? [...member.roles, roleId] : member.roles.filter((r) => r !== roleId);
        const reason = auditLogReason(c);
        state.roleChanges.push({ at: ctx.now(), guildId: guild.id, userId, roleId, action, reason });
      }
      return c.body(null, 204);
    });

  app.put("/api/v10/guilds/:guild/members/:user/roles/:role", roleChange("add"));
  app.delete("/api/v10/guilds/:guild/members/:user/roles/:role", roleChange("remove"));

  /**
   * Get Guild. A guild the bot is not in answers 10004 Unknown Guild, like one that does not exist
   * (Discord changed this from 50001 in 2023: discord-api-docs#5840).
   * @see https://discord.com/developers/docs/resources/guild#get-guild
   */
  app.get(
    "/api/v10/guilds/:guild",
    discordRoute(ctx, { route: "get_guild", auth: "bot", major: byGuild }, (c, principal) => {
      const guildId = c.req.param("guild") ?? "";
      if (!isSnowflake(guildId)) return c.json(notSnowflake("guild_id", guildId), 400);
      const guild = state.guilds.get(guildId);
      if (!guild?.members.has(principal?.userId ?? "")) {
        return discordError(c, DISCORD_ERRORS.unknownGuild);
      }
      const withCounts = ["true", "True", "1"].includes(c.req.query("with_counts") ?? "");
      return c.json(apiGuild(guild, sortedRoles(guild), withCounts));
    }),
  );

  app.get(
    "/api/v10/guilds/:guild/roles",
    discordRoute(ctx, { route: "guild_roles", auth: "bot", major: byGuild }, (c, principal) => {
      const found = guildFor(c, principal);
      if (found instanceof Response) return found;
      return c.json(sortedRoles(found.guild).map(apiRole));
    }),
  );
}
