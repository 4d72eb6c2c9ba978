import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordRest } from "@guildkit/discord-rest";
import type { ServerContext } from "../context";
import { html, type SafeHtml } from "./html";

/**
 * The guild's roles, read from Discord with the configured bot token, as a table to pick role ids
 * from (highest first; the ones configured in the Discord settings marked). Nothing is changed.
 */
export async function guildRolesView(ctx: ServerContext, signal: AbortSignal): Promise<SafeHtml> {
  const config = createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec });
  const loaded = await config.loadComplete(["bot_token", "guild_id"], { signal });
  if (!loaded.ok) {
    const missing = [...loaded.missing, ...loaded.invalid.map((i) => `${i.field} (invalid)`)];
    return html`<p class="bad" id="guild-roles">Set ${missing.join(", ")} in <a href="/admin/settings">Settings</a> to read the guild's roles.</p>`;
  }
  const rest = createDiscordRest({
    token: loaded.values.bot_token,
    apiBaseUrl: ctx.settings.discordApiBaseUrl,
    retries: 0,
    timeoutMs: 10_000,
  });
  try {
    const roles = await rest.getGuildRoles({ guildId: loaded.values.guild_id, signal });
    const configured = new Set(loaded.values.role_ids ?? []);
    const rows = [...roles]
      .sort((a, b) => b.position - a.position)
      .map(
        (r) =>
          html`<tr><td>${r.name}</td><td><code>${r.id}</code></td><td>${r.position}</td><td>${
            r.managed
              ? "managed by an integration (cannot be granted)"
              : r.id === loaded.values.guild_id
                ? "@everyone"
                : ""
          }${configured.has(r.id) ? html` <span class="ok">configured</span>` : ""}</td></tr>`,
      );
    return html`<table id="guild-roles"><thead><tr><th>Role</th><th>Id</th><th>Position</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
  } catch (error) {
    return html`<p class="bad" id="guild-roles">Discord refused to list the guild's roles: ${(error as Error).message}</p>`;
  } finally {
    await rest.close();
  }
}
