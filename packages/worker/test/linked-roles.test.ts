import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordOAuth } from "@guildkit/discord-rest";
import { startDiscordSim } from "@guildkit/discord-sim";
import { linkedRolesConfigSpec } from "@guildkit/role-reconciler";
import { createOAuthTokenSource } from "@guildkit/role-reconciler/testing";
import { createSqliteStore, type SqliteStore } from "@guildkit/store-sqlite";
import { TEST_SECRET_KEY, testSecretBox } from "@guildkit/store-testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createLinkedRoles } from "../src/linked-roles";
import { runCli } from "./cli-harness";

const REDIRECT = "http://localhost:3000/discord/linked-roles/callback";
const SCOPES = ["identify", "role_connections.write"];
const RECORDS = [
  {
    key: "paying",
    name: "Paying member",
    description: "Has an active membership",
    type: 7,
    source: { kind: "paying" },
  },
  {
    key: "tier",
    name: "Tier",
    description: "Membership tier",
    type: 2,
    source: { kind: "tier", column: "payment_status", values: { gold: 3, silver: 2 } },
  },
];

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

/** A simulator on a clock the test moves, a SQLite store with settings, three linked members. */
async function world() {
  let t = Date.UTC(2026, 11, 1);
  const clock = { now: () => new Date(t) };
  const sim = await startDiscordSim({ now: () => t });
  const app = sim.seed.application({ redirectUris: [REDIRECT] });
  const guild = sim.seed.guild({ botUserId: app.botUserId });
  const role = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
  const users = ["80351110224678912", "80351110224678913", "80351110224678914"];
  for (const id of users) sim.seed.user({ id, username: `u${id.slice(-2)}` });
  const dir = mkdtempSync(join(tmpdir(), "guildkit-linked-roles-"));
  const filename = join(dir, "db.sqlite");
  const store: SqliteStore = createSqliteStore({ filename, secretBox: testSecretBox(), clock });
  await store.migrate();
  await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    bot_token: app.botToken,
    guild_id: guild.id,
    role_ids: [role.id],
  });
  await createConfigLoader({ store: store.configStore, spec: linkedRolesConfigSpec }).save({
    mode: "linked_roles",
    records: RECORDS,
    platform_name: "guildkit",
  });
  const members: string[] = [];
  for (const [i, id] of users.entries()) {
    const m = await store.members.create({
      email: `m${i}@example.test`,
      discordUserId: id,
      paymentStatus: i === 2 ? null : i === 0 ? "gold" : "silver",
    });
    members.push(String(m.id));
  }
  const oauth = createDiscordOAuth({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    apiBaseUrl: sim.apiBaseUrl,
    authorizeUrl: sim.authorizeUrl,
  });
  const tokens = createOAuthTokenSource({
    oauth,
    authorize: (url, { userId }) => sim.authorize(url, { userId }),
    redirectUri: REDIRECT,
    now: clock.now,
  });
  const linked = createLinkedRoles(
    { store, discordApiBaseUrl: sim.apiBaseUrl, tokens, owner: "test", clock },
    { rps: 100, pusher: { minPushIntervalMs: 0 } },
  );
  cleanup = async () => {
    await linked.close();
    await store.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const connection = (i: number) => sim.inspect.roleConnection(app.clientId, users[i]!);
  return {
    sim,
    app,
    store,
    filename,
    users,
    members,
    tokens,
    linked,
    connection,
    advance: (ms: number) => (t += ms),
  };
}

describe("Linked Roles against discord-sim", () => {
  it("guildkit linked-roles register puts the configured records (without sources) with the bot token", async () => {
    const w = await world();
    const env = {
      DATABASE_URL: w.filename,
      GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
      DISCORD_API_BASE_URL: w.sim.apiBaseUrl,
    };
    const { code, stdout, stderr } = await runCli(["linked-roles", "register"], env);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("registered 2 Linked Roles metadata record(s)");
    expect(w.sim.inspect.roleConnectionMetadata(w.app.clientId)).toEqual([
      { key: "paying", name: "Paying member", description: "Has an active membership", type: 7 },
      { key: "tier", name: "Tier", description: "Membership tier", type: 2 },
    ]);
  });

  it("pushes the metadata of linked members with their OAuth tokens, once; clears it when entitlement ends", async () => {
    const w = await world();
    await w.linked.registerSchema();
    for (const [i, m] of w.members.entries()) await w.tokens.link(m, w.users[i]!, SCOPES);
    const first = await w.linked.round();
    expect(first).toMatchObject({ changed: 2, pushed: 2 });
    expect(w.connection(0)).toMatchObject({ platformName: "guildkit", metadata: { paying: "1", tier: "3" } });
    expect(w.connection(1)).toMatchObject({ metadata: { paying: "1", tier: "2" } });
    expect(w.connection(2)).toBeNull();
    expect(await w.linked.round()).toMatchObject({ changed: 0, claimed: 0 });
    await w.store.members.update(w.members[0]!, { paymentStatus: null });
    expect(await w.linked.round()).toMatchObject({ changed: 1, cleared: 1 });
    expect(w.connection(0)).toBeNull();
    expect(w.sim.inspect.rateLimited().total).toBe(0);
  });

  it("a member who revoked the app gets one refresh on the 401, then needs re-consent; an expiring token is refreshed before its push", async () => {
    const w = await world();
    await w.linked.registerSchema();
    await w.tokens.link(w.members[0]!, w.users[0]!, SCOPES);
    await w.tokens.link(w.members[1]!, w.users[1]!, SCOPES);
    // member 1 revokes the app at Discord: its access and refresh tokens stop working
    w.sim.seed.revokeAuthorization({ userId: w.users[1]!, clientId: w.app.clientId });
    const round = await w.linked.round();
    expect(round).toMatchObject({ pushed: 1, needsConsent: 1 });
    expect(w.tokens.refreshes.get(w.members[1]!)).toBe(1);
    expect(await w.store.roleConnections.get({ memberId: w.members[1]! })).toMatchObject({
      state: "needs_consent",
    });
    const logged = await w.store.eventLog.list({ kind: "role_connection.needs_consent" });
    expect(logged.map((e) => e.memberId)).toEqual([w.members[1]]);
    // 7 days on, member 0's access token is about to expire: refreshed first, then pushed
    w.advance(604_800_000 - 60_000);
    await w.store.members.update(w.members[0]!, { paymentStatus: "silver" });
    expect(await w.linked.round()).toMatchObject({ pushed: 1 });
    expect(w.tokens.refreshes.get(w.members[0]!)).toBe(1);
    expect(w.connection(0)).toMatchObject({ metadata: { paying: "1", tier: "2" } });
  });

  it("skips a member without a grant, and one whose grant lacks role_connections.write", async () => {
    const w = await world();
    await w.linked.registerSchema();
    await w.tokens.link(w.members[1]!, w.users[1]!, ["identify"]);
    expect(await w.linked.round()).toMatchObject({ noGrant: 1, needsConsent: 1, pushed: 0 });
    expect(w.sim.inspect.roleConnections(w.app.clientId)).toEqual([]);
  });

  it("with the mode bot_roles, pushes nothing", async () => {
    const w = await world();
    await createConfigLoader({ store: w.store.configStore, spec: linkedRolesConfigSpec }).save({
      mode: "bot_roles",
      records: RECORDS,
    });
    await w.tokens.link(w.members[0]!, w.users[0]!, SCOPES);
    expect(await w.linked.round()).toBeNull();
    expect(w.sim.inspect.roleConnections(w.app.clientId)).toEqual([]);
  });
});
