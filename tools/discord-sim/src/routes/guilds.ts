import type { Hono } from "hono";
import type { SimContext } from "../context";
import { DISCORD_ERRORS, invalidFormBody, notSnowflake } from "../errors";
import { apiMember, apiRole } from "../objects";
import { discordError, discordRoute, type Principal, type SimEnv, type SimHonoContext } from "../pipeline";
import { compareSnowflakes, isSnowflake } from "../snowflake";
import type { GuildState } from "../state";

const byGuild = (c: SimHonoContext) => c.req.param("guild") ?? "";

/** Guild routes: get/list members, add/remove member roles, list roles. */
export function registerGuildRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;

  /** Resolves the guild the bot may act in, or the error to answer. */
  const guildFor = (
    c: SimHonoContext,
    principal: Principal | null,
  ): { guild: GuildState; botUserId: string } | Response => {
    const guildId = c.req.param("guild") ?? "";
    if (!isSnowflake(guildId)) return c.json(notSnowflake("guild_id", guildId), 400);
    const guild = state.guilds.get(guildId);
    if (!guild) return discordError(c, DISCORD_ERRORS.unknownGuild);
    const botUserId = principal?.userId ?? "";
    if (!guild.members.has(botUserId)) return discordError(c, DISCORD_ERRORS.missingAccess);
    return { guild, botUserId };
  };

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
      if (!guild.membersIntent) return discordError(c, DISCORD_ERRORS.missingAccess);
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
      if (role.managed || role.position >= state.botHighestPosition(guild, botUserId)) {
        return discordError(c, DISCORD_ERRORS.missingPermissions);
      }
      const has = member.roles.includes(roleId);
      if (action === "add" ? !has : has) {
        member.roles =
          action === "add" ? [...member.roles, roleId] : member.roles.filter((r) => r !== roleId);
        const header = c.req.header("x-audit-log-reason");
        let reason: string | null = null;
        if (header !== undefined) {
          try {
            reason = decodeURIComponent(header);
          } catch {
            reason = header;
          }
        }
        state.roleChanges.push({ at: ctx.now(), guildId: guild.id, userId, roleId, action, reason });
      }
      return c.body(null, 204);
    });

  app.put("/api/v10/guilds/:guild/members/:user/roles/:role", roleChange("add"));
  app.delete("/api/v10/guilds/:guild/members/:user/roles/:role", roleChange("remove"));

  app.get(
    "/api/v10/guilds/:guild/roles",
    discordRoute(ctx, { route: "guild_roles", auth: "bot", major: byGuild }, (c, principal) => {
      const found = guildFor(c, principal);
      if (found instanceof Response) return found;
      const roles = [...found.guild.roles.values()].sort(
        (a, b) => a.position - b.position || compareSnowflakes(a.id, b.id),
      );
      return c.json(roles.map(apiRole));
    }),
  );
}
