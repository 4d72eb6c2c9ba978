import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import * as postgres from "@guildkit/store-postgres";
import { checkPostgres, createPostgresTestStore } from "@guildkit/store-testkit";
import { createRoleSync } from "@guildkit/worker";
import { afterEach, describe, expect, it } from "vitest";
import { type HttpBrowser, servedWorld } from "./oauth-helpers";

type World = Awaited<ReturnType<typeof servedWorld>>;

const pg = await checkPostgres();
const backends = [
  { name: "SQLite", skip: false, open: async () => null },
  {
    name: "Postgres",
    skip: !pg.available,
    open: () => createPostgresTestStore(postgres, { connectionString: pg.url }),
  },
] as const;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** A guild with a paid role, the bot above it, and Discord users A and B in it (neither holding it). */
async function guildWorld(open: (typeof backends)[number]["open"]) {
  const handle = await open();
  const w = await servedWorld({ store: handle?.store });
  cleanup.push(async () => {
    await w.close();
    await handle?.teardown();
  });
  const guild = w.sim.seed.guild({ botUserId: w.application.botUserId, botRolePosition: 10 });
  const role = w.sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
  const a = w.sim.seed.user({ username: "alpha", email: "nelly@example.test", verified: true });
  const b = w.sim.seed.user({ username: "bravo", email: "bravo@example.test", verified: true });
  for (const user of [a, b]) w.sim.seed.member({ guildId: guild.id, userId: user.id, roles: [] });
  await createConfigLoader({ store: w.ctx.store.configStore, spec: discordConfigSpec }).save({
    bot_token: w.application.botToken,
    guild_id: guild.id,
    role_ids: [role.id],
  });
  const member = await w.ctx.store.members.create({ email: "nelly@example.test", paymentStatus: "active" });
  const sync = createRoleSync({
    store: w.ctx.store,
    discordApiBaseUrl: w.sim.apiBaseUrl,
    discordCdnBaseUrl: w.sim.cdnBaseUrl,
    owner: "e2e",
  });
  cleanup.push(() => sync.close());
  /** One role-sync pass over every member due now, as the worker runs it. */
  async function runSync() {
    const loaded = await sync.loadSettings();
    if (loaded.status !== "ready")
      throw new Error(`role sync settings incomplete: ${JSON.stringify(loaded)}`);
    await sync.reconciler.drain({ settings: loaded.settings, gateway: loaded.gateway });
  }
  const holdsRole = (userId: string) =>
    w.sim.inspect.member(guild.id, userId)?.roles.includes(role.id) ?? false;
  return { w, guild, role, a, b, member, runSync, holdsRole };
}

/** Start a link in `browser` and authorize it on the simulator as `userId`; resolves the callback's answer. */
async function linkAs(w: World, browser: HttpBrowser, userId: string): Promise<Response> {
  const start = await browser.get("/discord/login?next=%2Fme");
  expect(start.status).toBe(302);
  return browser.get(await w.sim.authorize(start.headers.get("location") ?? "", { userId }));
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`replacing a linked Discord account, end to end (${backend.name})`, () => {
    it("link A, sync grants A the role; link B after confirming the replacement; sync moves the role from A to B", async () => {
      const g = await guildWorld(backend.open);
      const { w, a, b, member } = g;
      const browser = w.browser();

      // Sign in with A: the member is found by its verified email and A is linked to it.
      const login = await browser.get("/login/discord?next=%2Fme");
      const signedIn = await browser.get(
        await w.sim.authorize(login.headers.get("location") ?? "", { userId: a.id }),
      );
      expect(signedIn.status).toBe(303);
      expect((await w.ctx.store.members.getById(member.id))?.discordUserId).toBe(a.id);
      await g.runSync();
      expect(g.holdsRole(a.id)).toBe(true);
      expect(g.holdsRole(b.id)).toBe(false);

      // Link B: Discord comes back, and the server asks before replacing A — nothing changed yet.
      const asked = await linkAs(w, browser, b.id);
      expect(asked.status).toBe(200);
      const page = await asked.text();
      expect(page).toMatch(/id="replace-previous">[^<]*alpha/);
      expect(page).toMatch(/id="replace-next">[^<]*bravo/);
      const token = /name="replace_token" value="([^"]+)"/.exec(page)?.[1] ?? "";
      expect(token).not.toBe("");
      expect((await w.ctx.store.members.getById(member.id))?.discordUserId).toBe(a.id);

      const confirmed = await browser.post("/discord/confirm", { replace_token: token });
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.get("location")).toBe("/me");
      expect((await w.ctx.store.members.getById(member.id))?.discordUserId).toBe(b.id);
      expect((await browser.get("/me")).status).toBe(200);
      const replaced = await w.ctx.store.eventLog.list({ kind: "oauth.callback" });
      expect(replaced.find((e) => e.data?.outcome === "replaced")).toMatchObject({
        memberId: member.id,
        discordUserId: b.id,
        data: { flow: "replace", previousDiscordUserId: a.id },
      });

      // The next sync revokes A's role (the grant ledger knows A holds it for this member) and grants B.
      await g.runSync();
      expect(g.holdsRole(a.id)).toBe(false);
      expect(g.holdsRole(b.id)).toBe(true);
      // One call per real change: A's add at the first sync, then A's removal and B's add (either order).
      const changes = w.sim.inspect.roleChanges().map((c) => `${c.userId}:${c.action}`);
      expect(changes[0]).toBe(`${a.id}:add`);
      expect(changes.slice(1).sort()).toEqual([`${a.id}:remove`, `${b.id}:add`].sort());
    });

    it("a replacement works only for the member and browser that started it, and re-checks that the new account is free", async () => {
      const g = await guildWorld(backend.open);
      const { w, a, b, member } = g;
      const browser = w.browser();
      const login = await browser.get("/login/discord");
      await browser.get(await w.sim.authorize(login.headers.get("location") ?? "", { userId: a.id }));
      const page = await (await linkAs(w, browser, b.id)).text();
      const token = /name="replace_token" value="([^"]+)"/.exec(page)?.[1] ?? "";

      // Another signed-in member cannot use it (and a browser without the binding cookie neither).
      await w.ctx.store.members.create({ email: "bravo@example.test" });
      const other = w.browser();
      const otherLogin = await other.get("/login/discord");
      await other.get(await w.sim.authorize(otherLogin.headers.get("location") ?? "", { userId: b.id }));
      const refused = await other.post("/discord/confirm", { replace_token: token });
      expect(refused.status).toBe(400);
      expect((await w.ctx.store.members.getById(member.id))?.discordUserId).toBe(a.id);
      // B is now linked to the other member: confirming in the right browser is a conflict, not a steal.
      const conflict = await browser.post("/discord/confirm", { replace_token: token });
      expect(conflict.status).toBe(409);
      expect((await w.ctx.store.members.getById(member.id))?.discordUserId).toBe(a.id);
      await g.runSync();
      expect(g.holdsRole(a.id)).toBe(true);
      expect(g.holdsRole(b.id)).toBe(false);
    });
  });
}
