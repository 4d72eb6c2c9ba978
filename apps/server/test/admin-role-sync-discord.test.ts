import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { postForm, signIn, simContextPerTest } from "./admin-helpers";

const env = simContextPerTest();

/** Every row of every table, and the schema itself (tables, indexes, triggers), as text. */
async function databaseSnapshot(): Promise<unknown> {
  const schema = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master order by type, name`.execute(env.ctx.store.kysely);
  const out: unknown[] = [schema.rows];
  for (const t of schema.rows.filter((r) => r.type === "table")) {
    const rows = await sql`select * from ${sql.table(t.name)} order by rowid`.execute(env.ctx.store.kysely);
    out.push([t.name, rows.rows]);
  }
  return JSON.parse(JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
}

describe("the console's dry run", () => {
  it("changes no row and no trigger, even when the rules read a column the triggers do not watch yet", async () => {
    const app = env.sim.seed.application({});
    const guild = env.sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
    const gold = env.sim.seed.role({ guildId: guild.id, name: "Gold", position: 1 });
    const [m] = env.sim.seed.members({ guildId: guild.id, count: 1, roles: () => [], avatars: false });
    await sql`alter table members add column tier text`.execute(env.ctx.store.kysely);
    const member = await env.ctx.store.members.create({
      email: "gold@example.test",
      discordUserId: m?.userId ?? null,
      paymentStatus: null,
    });
    await sql`update members set tier = 'gold' where id = ${Number(member.id)}`.execute(env.ctx.store.kysely);
    await createConfigLoader({ store: env.ctx.store.configStore, spec: discordConfigSpec }).save({
      bot_token: app.botToken,
      guild_id: guild.id,
    });
    await createConfigLoader({ store: env.ctx.store.configStore, spec: roleSyncConfigSpec }).save({
      rules: [{ kind: "map", column: "tier", values: { gold: [gold.id] } }],
    });
    const server = createServerApp(env.ctx);
    const login = await signIn(server);
    const before = await databaseSnapshot();

    const res = await postForm(server, login, "/admin/role-sync/plan", {});
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Would add 1, remove 0, 0 not in the guild");
    expect(await databaseSnapshot()).toEqual(before);
    expect(env.sim.inspect.roleChanges()).toEqual([]);
  });
});

describe("the console's member lookup", () => {
  it("shows the roles the member's account holds in Discord now, by name, and says when it is not in the guild", async () => {
    const { sim, ctx } = env;
    const app = sim.seed.application({});
    const guild = sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
    const paid = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
    sim.seed.role({ guildId: guild.id, name: "Unrelated", position: 2 });
    const [inGuild] = sim.seed.members({
      guildId: guild.id,
      count: 1,
      roles: () => [paid.id],
      avatars: false,
    });
    const a = await ctx.store.members.create({
      email: "a@example.test",
      discordUserId: inGuild?.userId ?? null,
    });
    const b = await ctx.store.members.create({
      email: "b@example.test",
      discordUserId: "1400000000000000099",
    });
    await createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec }).save({
      bot_token: app.botToken,
      guild_id: guild.id,
    });
    const server = createServerApp(ctx);
    const login = await signIn(server);
    const page = async (id: string) =>
      (await server.request(`/admin/role-sync?member=${id}`, { headers: { cookie: login.cookie } })).text();
    expect(await page(a.id)).toMatch(/id="member-held">Roles held in Discord now \(account \d+\): Paid<\/p>/);
    expect(await page(b.id)).toContain(
      "Roles held in Discord: none, account 1400000000000000099 is not in the guild.",
    );
  });
});
