import { createHash } from "node:crypto";

/** HTTP methods this client sends. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * One request's route: the real path (may hold a webhook token — never log it), the template used in
 * logs, errors and stats, and the major parameter Discord keys its buckets by.
 */
export interface Route {
  method: HttpMethod;
  /** Path relative to the base URL, with encoded segments, e.g. `/guilds/1/members/2`. Secret-bearing. */
  path: string;
  /** `METHOD /template`, e.g. `GET /guilds/:guild/members/:user`. Safe to log. */
  template: string;
  /** Top-level resource (guild, channel or webhook id + token digest), `global` when none. Safe to log. */
  major: string;
  /** False for routes that carry their own credential (webhook token) or none (CDN). */
  auth: boolean;
}

const seg = encodeURIComponent;

/** A short, stable digest of a secret so bucket keys can tell webhook tokens apart without holding them. */
export function secretDigest(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url").slice(0, 12);
}

function route(method: HttpMethod, path: string, template: string, major: string, auth = true): Route {
  return { method, path, template: `${method} ${template}`, major, auth };
}

/** Route builders for every endpoint this client calls. */
export const routes = {
  /** @see https://discord.com/developers/docs/resources/guild#get-guild-member */
  getGuildMember: (guildId: string, userId: string) =>
    route(
      "GET",
      `/guilds/${seg(guildId)}/members/${seg(userId)}`,
      "/guilds/:guild/members/:user",
      `guild:${guildId}`,
    ),
  /** @see https://discord.com/developers/docs/resources/guild#add-guild-member */
  addGuildMember: (guildId: string, userId: string) =>
    route(
      "PUT",
      `/guilds/${seg(guildId)}/members/${seg(userId)}`,
      "/guilds/:guild/members/:user",
      `guild:${guildId}`,
    ),
  /** @see https://discord.com/developers/docs/resources/guild#list-guild-members */
  listGuildMembers: (guildId: string) =>
    route("GET", `/guilds/${seg(guildId)}/members`, "/guilds/:guild/members", `guild:${guildId}`),
  /** @see https://discord.com/developers/docs/resources/guild#add-guild-member-role */
  guildMemberRole: (method: "PUT" | "DELETE", guildId: string, userId: string, roleId: string) =>
    route(
      method,
      `/guilds/${seg(guildId)}/members/${seg(userId)}/roles/${seg(roleId)}`,
      "/guilds/:guild/members/:user/roles/:role",
      `guild:${guildId}`,
    ),
  /** @see https://discord.com/developers/docs/resources/guild#remove-guild-member */
  removeGuildMember: (guildId: string, userId: string) =>
    route(
      "DELETE",
      `/guilds/${seg(guildId)}/members/${seg(userId)}`,
      "/guilds/:guild/members/:user",
      `guild:${guildId}`,
    ),
  /** @see https://discord.com/developers/docs/resources/guild#get-guild-roles */
  getGuildRoles: (guildId: string) =>
    route("GET", `/guilds/${seg(guildId)}/roles`, "/guilds/:guild/roles", `guild:${guildId}`),
  /** @see https://discord.com/developers/docs/resources/webhook#get-channel-webhooks */
  getChannelWebhooks: (channelId: string) =>
    route(
      "GET",
      `/channels/${seg(channelId)}/webhooks`,
      "/channels/:channel/webhooks",
      `channel:${channelId}`,
    ),
  /** @see https://discord.com/developers/docs/resources/webhook#execute-webhook */
  executeWebhook: (webhookId: string, token: string) =>
    route(
      "POST",
      `/webhooks/${seg(webhookId)}/${seg(token)}`,
      "/webhooks/:webhook/:token",
      `webhook:${webhookId}:${secretDigest(token)}`,
      false,
    ),
  /** @see https://discord.com/developers/docs/resources/webhook#get-webhook-with-token */
  getWebhookWithToken: (webhookId: string, token: string) =>
    route(
      "GET",
      `/webhooks/${seg(webhookId)}/${seg(token)}`,
      "/webhooks/:webhook/:token",
      `webhook:${webhookId}:${secretDigest(token)}`,
      false,
    ),
  /** @see https://discord.com/developers/docs/resources/webhook#edit-webhook-message */
  webhookMessage: (method: "PATCH" | "DELETE", webhookId: string, token: string, messageId: string) =>
    route(
      method,
      `/webhooks/${seg(webhookId)}/${seg(token)}/messages/${seg(messageId)}`,
      "/webhooks/:webhook/:token/messages/:message",
      `webhook:${webhookId}:${secretDigest(token)}`,
      false,
    ),
  /** A CDN image path (relative to the CDN base), e.g. `/avatars/1/abc.png`. */
  cdn: (path: string, template: string) => route("GET", path, `cdn${template}`, "cdn", false),
};

/**
 * The route's family: its template without the method. Methods on one path usually share a Discord
 * bucket (add / remove role, edit / delete webhook message), so until Discord names the bucket they
 * are kept together — one request at a time — rather than guessed apart.
 */
export function routeFamily(r: Route): string {
  return r.template.slice(r.template.indexOf(" ") + 1);
}

/** The key of the fallback bucket used before Discord names the bucket: route family + major parameter. */
export function fallbackBucketKey(r: Route): string {
  return `route:${routeFamily(r)}|${r.major}`;
}
