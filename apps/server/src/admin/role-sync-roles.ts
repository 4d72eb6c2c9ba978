import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordRest, type DiscordRest } from "@guildkit/discord-rest";
import type { ServerContext } from "../context";
import { html, type SafeHtml } from "./html";

/** A guild role as the pages show it. */
export interface GuildRole {
  id: string;
  name: string;
  position: number;
  managed: boolean;
}

/** The guild's roles (highest first) with the guild id and the configured role ids, or why not. */
export type GuildRoles =
  | { ok: true; guildId: string; roles: GuildRole[]; configured: Set<string> }
  | { ok: false; message: SafeHtml };

/** What a guild read gets: a client with the configured bot token, and the Discord settings. */
interface GuildClient {
  rest: DiscordRest;
  guildId: string;
  roleIds: readonly string[];
}

/**
 * Runs `read` with a Discord client on the configured bot token (closed after), or says which
 * settings are missing, or what Discord answered instead.
 */
async function withGuildClient<T>(
  ctx: ServerContext,
  signal: AbortSignal,
  read: (client: GuildClient) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; message: SafeHtml }> {
  const config = createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec });
  const loaded = await config.loadComplete(["bot_token", "guild_id"], { signal });
  if (!loaded.ok) {
    const missing = [...loaded.missing, ...loaded.invalid.map((i) => `${i.field} (invalid)`)];
    return {
      ok: false,
      message: html`Set ${missing.join(", ")} in <a href="/admin/settings">Settings</a> to read the guild's roles.`,
    };
  }
  const rest = createDiscordRest({
    token: loaded.values.bot_token,
    apiBaseUrl: ctx.settings.discordApiBaseUrl,
    retries: 0,
    timeoutMs: 10_000,
  });
  try {
    const value = await read({
      rest,
      guildId: loaded.values.guild_id,
      roleIds: loaded.values.role_ids ?? [],
    });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, message: html`Discord refused to answer: ${(error as Error).message}` };
  } finally {
    await rest.close();
  }
}

async function rolesOf(client: GuildClient, signal: AbortSignal): Promise<GuildRole[]> {
  const roles = await client.rest.getGuildRoles({ guildId: client.guildId, signal });
  return [...roles]
    .sort((a, b) => b.position - a.position)
    .map((r) => ({ id: r.id, name: r.name, position: r.position, managed: r.managed === true }));
}

/** Reads the guild's roles from Discord with the configured bot token. Nothing is changed. */
export async function readGuildRoles(ctx: ServerContext, signal: AbortSignal): Promise<GuildRoles> {
  const read = await withGuildClient(ctx, signal, async (client) => ({
    guildId: client.guildId,
    roles: await rolesOf(client, signal),
    configured: new Set(client.roleIds),
  }));
  return read.ok ? { ok: true, ...read.value } : read;
}

/**
 * The roles a Discord account holds in the guild now, by name (highest first), read from Discord;
 * `null` roles when the account is not in the guild.
 */
export async function rolesHeldView(
  ctx: ServerContext,
  discordUserId: string,
  signal: AbortSignal,
): Promise<SafeHtml> {
  const read = await withGuildClient(ctx, signal, async (client) => {
    const member = await client.rest.getGuildMember({
      guildId: client.guildId,
      userId: discordUserId,
      signal,
    });
    return member ? (await rolesOf(client, signal)).filter((r) => member.roles.includes(r.id)) : null;
  });
  if (!read.ok)
    return html`<p class="muted" id="member-held">Roles held in Discord: unknown (${read.message})</p>`;
  if (read.value === null)
    return html`<p id="member-held">Roles held in Discord: none, account ${discordUserId} is not in the guild.</p>`;
  return html`<p id="member-held">Roles held in Discord now (account ${discordUserId}): ${
    read.value.length === 0 ? "none" : read.value.map((r, i) => html`${i > 0 ? ", " : ""}${r.name}`)
  }</p>`;
}

/** Whether the bot may be asked to grant the role at all (not `@everyone`, not managed by an integration). */
export function grantable(role: GuildRole, guildId: string): boolean {
  return !role.managed && role.id !== guildId;
}

/**
 * The guild's roles, read from Discord with the configured bot token, as a table to pick role ids
 * from (highest first; the ones configured in the Discord settings marked). Nothing is changed.
 */
export async function guildRolesView(ctx: ServerContext, signal: AbortSignal): Promise<SafeHtml> {
  const read = await readGuildRoles(ctx, signal);
  if (!read.ok) return html`<p class="bad" id="guild-roles">${read.message}</p>`;
  const rows = read.roles.map(
    (r) =>
      html`<tr><td>${r.name}</td><td><code>${r.id}</code></td><td>${r.position}</td><td>${
        r.managed ? "managed by an integration (cannot be granted)" : r.id === read.guildId ? "@everyone" : ""
      }${read.configured.has(r.id) ? html` <span class="ok">configured</span>` : ""}</td></tr>`,
  );
  return html`<table id="guild-roles"><thead><tr><th>Role</th><th>Id</th><th>Position</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}
