import type { Hono } from "hono";
import { z } from "zod";
import type { SimContext } from "../context";
import { DISCORD_ERRORS, invalidFormBody, notSnowflake } from "../errors";
import { answerBodyError, isDictionary, NOT_A_DICTIONARY, readJsonBody } from "../json-body";
import { liveGrant } from "../oauth-grants";
import { apiMember } from "../objects";
import { hasPermission, outranksMember, outranksRole, PERMISSIONS } from "../permissions";
import {
  auditLogReason,
  discordError,
  discordRoute,
  type Principal,
  type SimEnv,
  type SimHonoContext,
} from "../pipeline";
import { isSnowflake } from "../snowflake";
import type { GuildState, SimState } from "../state";
import type { SimMember } from "../types";
import { toDiscordIssue } from "../webhook-body";
import { botGuild } from "./guilds";

/** Most guilds a user may be in without Nitro: "Maximum number of guilds reached (100)". */
export const DEFAULT_MAX_GUILDS = 100;

const snowflakeList = z.array(z.string()).superRefine((ids, ctx) => {
  ids.forEach((id, index) => {
    if (!isSnowflake(id)) {
      ctx.addIssue({
        code: "custom",
        path: [index],
        message: `Value "${id}" is not snowflake.`,
        params: { discordCode: "NUMBER_TYPE_COERCE" },
      });
    }
  });
});

/** The Add Guild Member JSON body. */
const addMemberSchema = z.looseObject({
  access_token: z.string().min(1),
  nick: z.string().min(1).max(32).nullish(),
  roles: snowflakeList.nullish(),
  mute: z.boolean().nullish(),
  deaf: z.boolean().nullish(),
});
type AddMemberBody = z.infer<typeof addMemberSchema>;

/** How many guilds the user is in: the simulator's, plus `otherGuildCount`. */
function guildCount(state: SimState, userId: string): number {
  let count = state.users.get(userId)?.otherGuildCount ?? 0;
  for (const guild of state.guilds.values()) if (guild.members.has(userId)) count += 1;
  return count;
}

/**
 * What the bot may not do with this body: CREATE_INSTANT_INVITE to add anyone, MANAGE_ROLES (and
 * roles below its own) for `roles`, MANAGE_NICKNAMES for `nick`, MUTE_MEMBERS / DEAFEN_MEMBERS.
 * Returns the error to answer, or null.
 */
function addMemberRefusal(guild: GuildState, botUserId: string, body: AddMemberBody) {
  const may = (permission: bigint) => hasPermission(guild, botUserId, permission);
  if (!may(PERMISSIONS.CREATE_INSTANT_INVITE)) return DISCORD_ERRORS.missingPermissions;
  for (const roleId of body.roles ?? []) {
    const role = guild.roles.get(roleId);
    if (!role || role.id === guild.id) return DISCORD_ERRORS.unknownRole;
    if (!may(PERMISSIONS.MANAGE_ROLES) || role.managed || !outranksRole(guild, botUserId, role.position)) {
      return DISCORD_ERRORS.missingPermissions;
    }
  }
  if (body.nick && !may(PERMISSIONS.MANAGE_NICKNAMES)) return DISCORD_ERRORS.missingPermissions;
  if (body.mute && !may(PERMISSIONS.MUTE_MEMBERS)) return DISCORD_ERRORS.missingPermissions;
  if (body.deaf && !may(PERMISSIONS.DEAFEN_MEMBERS)) return DISCORD_ERRORS.missingPermissions;
  return null;
}

/**
 * Add Guild Member: a bot of the application the user's `guilds.join` token was granted to adds the
 * user (201 with the member), or answers 204 without reading the body when the user is already in.
 * A token that is invalid, expired, of another user or application, or without `guilds.join` is
 * 403 50025 (discord-api-docs#5951, #5578); a ban is 403 40007; a user in too many guilds 400 30001,
 * checked after membership (discord-api-docs#6888).
 * @see https://discord.com/developers/docs/resources/guild#add-guild-member
 */
async function addMember(ctx: SimContext, c: SimHonoContext, principal: Principal | null): Promise<Response> {
  const { state } = ctx;
  const userId = c.req.param("user") ?? "";
  if (!isSnowflake(userId)) return c.json(notSnowflake("user_id", userId), 400);
  const found = botGuild(state, c, principal);
  if (found instanceof Response) return found;
  const { guild, botUserId } = found;
  if (guild.members.has(userId)) return c.body(null, 204);
  const read = await readJsonBody(c);
  if (!read.ok) return answerBodyError(c, read);
  if (!isDictionary(read.value)) return answerBodyError(c, NOT_A_DICTIONARY);
  const parsed = addMemberSchema.safeParse(read.value, { reportInput: true });
  if (!parsed.success) return c.json(invalidFormBody(parsed.error.issues.map(toDiscordIssue)), 400);
  const body = parsed.data;
  const grant = liveGrant(state, body.access_token);
  if (
    principal?.kind !== "bot" ||
    !grant ||
    grant.clientId !== principal.app.clientId ||
    grant.userId !== userId ||
    !grant.scopes.includes("guilds.join")
  ) {
    return discordError(c, DISCORD_ERRORS.invalidOAuthToken);
  }
  const user = state.users.get(userId);
  if (!user) return discordError(c, DISCORD_ERRORS.unknownUser);
  if (guild.bans.has(userId)) return discordError(c, DISCORD_ERRORS.bannedFromGuild);
  const refusal = addMemberRefusal(guild, botUserId, body);
  if (refusal) return discordError(c, refusal);
  if (guildCount(state, userId) >= (user.maxGuilds ?? DEFAULT_MAX_GUILDS)) {
    return discordError(c, DISCORD_ERRORS.maxGuilds);
  }
  const member: SimMember = state.seed.member({
    guildId: guild.id,
    userId,
    nick: body.nick ?? null,
    roles: [...new Set(body.roles ?? [])],
  });
  state.joins.push({
    at: ctx.now(),
    guildId: guild.id,
    userId,
    applicationId: principal.app.clientId,
    roles: [...member.roles],
    nick: member.nick,
  });
  return c.json({ ...apiMember(member, user), mute: body.mute ?? false, deaf: body.deaf ?? false }, 201);
}

/**
 * Remove Guild Member (kick): KICK_MEMBERS, and only members whose highest role sits below the
 * bot's (never the owner). 204; the decoded `X-Audit-Log-Reason` goes to `inspect.kicks()`.
 * @see https://discord.com/developers/docs/resources/guild#remove-guild-member
 */
function removeMember(ctx: SimContext, c: SimHonoContext, principal: Principal | null): Response {
  const { state } = ctx;
  const userId = c.req.param("user") ?? "";
  if (!isSnowflake(userId)) return c.json(notSnowflake("user_id", userId), 400);
  const found = botGuild(state, c, principal);
  if (found instanceof Response) return found;
  const { guild, botUserId } = found;
  if (!guild.members.has(userId)) {
    return discordError(
      c,
      state.users.has(userId) ? DISCORD_ERRORS.unknownMember : DISCORD_ERRORS.unknownUser,
    );
  }
  if (
    !hasPermission(guild, botUserId, PERMISSIONS.KICK_MEMBERS) ||
    !outranksMember(guild, botUserId, userId)
  ) {
    return discordError(c, DISCORD_ERRORS.missingPermissions);
  }
  state.dropMember(guild, userId);
  state.kicks.push({ at: ctx.now(), guildId: guild.id, userId, reason: auditLogReason(c) });
  return c.body(null, 204);
}

/** Add Guild Member and Remove Guild Member. */
export function registerGuildMemberRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const byGuild = (c: SimHonoContext) => c.req.param("guild") ?? "";
  app.put(
    "/api/v10/guilds/:guild/members/:user",
    discordRoute(ctx, { route: "add_member", auth: "bot", major: byGuild }, (c, p) => addMember(ctx, c, p)),
  );
  app.delete(
    "/api/v10/guilds/:guild/members/:user",
    discordRoute(ctx, { route: "remove_member", auth: "bot", major: byGuild }, (c, p) =>
      removeMember(ctx, c, p),
    ),
  );
}
