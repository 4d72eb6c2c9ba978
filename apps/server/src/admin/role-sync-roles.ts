import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordRest } from "@guildkit/discord-rest";
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

/** Reads the guild's roles from Discord with the configured bot token. Nothing is changed. */
export async function readGuildRoles(ctx: ServerContext, signal: AbortSignal): Promise<GuildRoles> {
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
    const roles = await rest.getGuildRoles({ guildId: loaded.values.guild_id, signal });
    return {
      ok: true,
      guildId: loaded.values.guild_id,
      roles: [...roles]
        .sort((a, b) => b.position - a.position)
        .map((r) => ({ id: r.id, name: r.name, position: r.position, managed: r.managed === true })),
      configured: new Set(loaded.values.role_ids ?? []),
    };
  } catch (error) {
    return {
      ok: false,
      message: html`Discord refused to list the guild's roles: ${(error as Error).message}`,
    };
  } finally {
    await rest.close();
  }
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
