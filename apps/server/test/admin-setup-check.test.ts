import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { postForm, signIn, simContextPerTest } from "./admin-helpers";

const env = simContextPerTest();

/** The text of one check's line on the page (tags dropped). */
function line(page: string, id: string): string {
  const match = new RegExp(`<li id="check-${id}"[^>]*>(.*?)</li>`).exec(page);
  return (match?.[1] ?? "")
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("the settings page's Check setup panel", () => {
  it("runs the doctor with the saved settings: one line per check, a role above the bot failed with its fix", async () => {
    const app = env.sim.seed.application({ redirectUris: ["http://127.0.0.1:3000/login/discord/callback"] });
    const guild = env.sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
    const paid = env.sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
    const vip = env.sim.seed.role({ guildId: guild.id, name: "VIP", position: 20 });
    await createConfigLoader({ store: env.ctx.store.configStore, spec: discordConfigSpec }).save({
      bot_token: app.botToken,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      guild_id: guild.id,
      role_ids: [paid.id, vip.id],
    });
    const server = createServerApp(env.ctx);
    const login = await signIn(server);
    const before = await (
      await server.request("/admin/settings", { headers: { cookie: login.cookie } })
    ).text();
    expect(before).toContain('id="check-setup"');
    expect(before).not.toContain('id="setup-checks"');

    const res = await postForm(server, login, "/admin/settings/check", {});
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(line(page, "secret_key")).toMatch(/^ok the secret key opens the stored secrets/);
    expect(line(page, "token")).toMatch(/^ok bot token valid/);
    expect(line(page, "guild")).toMatch(/^ok the bot is in the guild/);
    expect(line(page, `role-${paid.id}`)).toMatch(/^ok role "Paid" can be granted/);
    expect(line(page, `role-${vip.id}`)).toMatch(
      /^failed role "VIP" can be granted: .*not below the bot's highest role/,
    );
    expect(line(page, `role-${vip.id}`)).toContain("Fix: Server Settings → Roles, drag");
    // The second redirect URI (account linking) is not registered: its fix names it.
    expect(line(page, "redirect_uri")).toMatch(/^failed .*Fix: .*\/discord\/callback/);
    expect(page).toMatch(/id="setup-summary"[^>]*>2 check\(s\) failed/);
    expect(page).not.toContain(app.botToken);
    expect(page).not.toContain(app.clientSecret);
  });

  it("is refused without the CSRF token, and names unset settings with their fix", async () => {
    const server = createServerApp(env.ctx);
    const login = await signIn(server);
    expect((await postForm(server, login, "/admin/settings/check", {}, "wrong")).status).toBe(403);
    const page = await (await postForm(server, login, "/admin/settings/check", {})).text();
    expect(line(page, "token")).toMatch(
      /^failed bot token valid: bot_token is not set\..*Fix: Developer Portal/,
    );
  });

  it("says when the secret key does not open a stored secret, with the fix", async () => {
    const { ctx } = env;
    await createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec }).save({
      bot_token: "a-bot-token-sealed-with-another-key",
    });
    // The same sealed value, under a key id GUILDKIT_SECRET_KEY does not hold.
    await sql`update config_versions set "values" = replace("values", 'gk-sealed:v1:', 'gk-sealed:v1:zz')`.execute(
      ctx.store.kysely,
    );
    const server = createServerApp(ctx);
    const login = await signIn(server);
    const page = await (await postForm(server, login, "/admin/settings/check", {})).text();
    expect(line(page, "secret_key")).toMatch(
      /^failed the secret key opens the stored secrets: bot_token is sealed with key zz/,
    );
    expect(line(page, "secret_key")).toContain("Fix: Start the server with the key that sealed them");
  });
});
