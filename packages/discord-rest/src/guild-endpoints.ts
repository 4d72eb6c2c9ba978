import type { APIGuildMember, APIRole, APIWebhook } from "discord-api-types/v10";
import type { DiscordRest } from "./client-types";
import type { SignalOptions } from "./defaults";
import { DiscordApiError } from "./errors";
import type { Pipeline } from "./request";
import { routes } from "./route";
import { guildMemberSchema, roleSchema, webhookSchema } from "./schemas";
import { validate } from "./validate";

type GuildEndpoints = Pick<
  DiscordRest,
  | "getGuildMember"
  | "listGuildMembers"
  | "iterateGuildMembers"
  | "addGuildMember"
  | "addGuildMemberRole"
  | "removeGuildMemberRole"
  | "removeGuildMember"
  | "getGuildRoles"
  | "getChannelWebhooks"
>;

/** `X-Audit-Log-Reason`: URL-encoded, cut to 512 characters. */
function auditLogHeaders(reason: string | null | undefined): Record<string, string> | undefined {
  if (!reason) return undefined;
  const cut = [...reason].slice(0, 512).join("");
  return { "x-audit-log-reason": encodeURIComponent(cut) };
}

/** The guild side of the client: members (lookup, pages, roles), roles and channel webhooks. */
export function guildEndpoints(api: Pipeline): GuildEndpoints {
  const listGuildMembers: DiscordRest["listGuildMembers"] = async ({ guildId, limit, after, signal }) => {
    const pageSize = Math.min(1000, Math.max(1, Math.floor(limit ?? 1000)));
    const route = routes.listGuildMembers(guildId);
    const response = await api.send(route, {
      base: "api",
      query: { limit: pageSize, after: after ?? undefined },
      signal,
    });
    const members = validate(guildMemberSchema.array(), response, route) as unknown as APIGuildMember[];
    let nextAfter: string | null = null;
    if (members.length >= pageSize && members.length > 0) {
      nextAfter = members.reduce(
        (max, m) => (BigInt(m.user.id) > BigInt(max) ? m.user.id : max),
        members[0]!.user.id,
      );
    }
    return { members, nextAfter };
  };

  const memberRole =
    (method: "PUT" | "DELETE") =>
    async (
      input: { guildId: string; userId: string; roleId: string; reason?: string | null } & SignalOptions,
    ) => {
      const route = routes.guildMemberRole(method, input.guildId, input.userId, input.roleId);
      await api.send(route, { base: "api", headers: auditLogHeaders(input.reason), signal: input.signal });
    };

  return {
    async getGuildMember({ guildId, userId, signal }) {
      const route = routes.getGuildMember(guildId, userId);
      try {
        const response = await api.send(route, { base: "api", signal });
        return validate(guildMemberSchema, response, route) as unknown as APIGuildMember;
      } catch (error) {
        if (
          error instanceof DiscordApiError &&
          error.status === 404 &&
          (error.code === 10007 || error.code === 10013)
        ) {
          return null;
        }
        throw error;
      }
    },
    listGuildMembers,
    async *iterateGuildMembers({ guildId, pageSize = 1000, after = null, signal }) {
      let cursor = after;
      for (;;) {
        const page = await listGuildMembers({ guildId, limit: pageSize, after: cursor, signal });
        yield* page.members;
        if (page.nextAfter === null) return;
        cursor = page.nextAfter;
      }
    },
    async addGuildMember({ guildId, userId, accessToken, roles, nick, signal }) {
      const route = routes.addGuildMember(guildId, userId);
      const body: Record<string, unknown> = { access_token: accessToken };
      if (roles !== undefined) body.roles = [...roles];
      if (nick !== undefined && nick !== null) body.nick = nick;
      const response = await api.send(route, { base: "api", body, signal });
      if (response.status === 204) return { added: false };
      return {
        added: true,
        member: validate(guildMemberSchema, response, route) as unknown as APIGuildMember,
      };
    },
    addGuildMemberRole: memberRole("PUT"),
    removeGuildMemberRole: memberRole("DELETE"),
    async removeGuildMember({ guildId, userId, reason, signal }) {
      const route = routes.removeGuildMember(guildId, userId);
      await api.send(route, { base: "api", headers: auditLogHeaders(reason), signal });
    },
    async getGuildRoles({ guildId, signal }) {
      const route = routes.getGuildRoles(guildId);
      const response = await api.send(route, { base: "api", signal });
      return validate(roleSchema.array(), response, route) as unknown as APIRole[];
    },
    async getChannelWebhooks({ channelId, signal }) {
      const route = routes.getChannelWebhooks(channelId);
      const response = await api.send(route, { base: "api", signal });
      return validate(webhookSchema.array(), response, route) as unknown as APIWebhook[];
    },
  };
}
