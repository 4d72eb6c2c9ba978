/**
 * `pnpm bench:reconcile -- --mode linked-roles` — 1,000 entitlement changes delivered as Linked Roles
 * metadata (one `PUT /users/@me/applications/{id}/role-connection` per member, with the member's own
 * OAuth token, on a 10 req/s budget) against the same changes through bot roles (Discord's member
 * role bucket, 10 per 10 s per guild), both measured in the same run against discord-sim with
 * Discord's limits. The bot-role side is measured on `--bot-changes` members (default 60) and
 * extrapolated to N at its measured steady rate (said so in the JSON).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordOAuth } from "@guildkit/discord-rest";
import { startDiscordSim } from "@guildkit/discord-sim";
import { linkedRolesConfigSpec } from "@guildkit/role-reconciler";
import { createOAuthTokenSource } from "@guildkit/role-reconciler/testing";
import { createSqliteStore } from "@guildkit/store-sqlite";
import { testSecretBox } from "@guildkit/store-testkit";
import { createLinkedRoles, createRoleSync } from "@guildkit/worker";

const REDIRECT = "http://localhost:3000/discord/linked-roles/callback";
const log = (line: string) => process.stdout.write(`${line}\n`);

// biome-ignore lint/suspicious/noExplicitAny: bulk writes into the members table
type AnyDb = { insertInto(table: string): any; updateTable(table: string): any };

function tempStore(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `guildkit-bench-${name}-`));
  const store = createSqliteStore({ filename: join(dir, "db.sqlite"), secretBox: testSecretBox() });
  return { store, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function linkMembers(db: AnyDb, userIds: readonly string[], paying: boolean) {
  for (let start = 0; start < userIds.length; start += 500) {
    const rows = userIds.slice(start, start + 500).map((id, i) => ({
      email: `lr${start + i}@example.test`,
      discord_user_id: id,
      payment_status: paying ? "active" : null,
    }));
    await db.insertInto("members").values(rows).execute();
  }
}

/** Runs the comparison; resolves the figures of the final JSON line. */
export async function benchLinkedRoles(opts: { changes: number; botChanges: number; rps: number }) {
  // Discord's limits (the simulator's defaults), but a token endpoint fast enough to link N members
  // before the measurement starts (setup, not measured).
  const sim = await startDiscordSim({ routeLimits: { oauth_token: { limit: 100_000, windowMs: 1_000 } } });
  const setup429 = () => sim.inspect.rateLimited().total;
  const app = sim.seed.application({ redirectUris: [REDIRECT] });
  const guild = sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
  const role = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
  const users = sim.seed.members({ guildId: guild.id, count: opts.changes, roles: () => [], avatars: false });

  // ---- Linked Roles ----
  const linked = tempStore("linked-roles");
  await linked.store.migrate();
  await createConfigLoader({ store: linked.store.configStore, spec: discordConfigSpec }).save({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    bot_token: app.botToken,
    guild_id: guild.id,
    role_ids: [role.id],
  });
  await createConfigLoader({ store: linked.store.configStore, spec: linkedRolesConfigSpec }).save({
    mode: "linked_roles",
  });
  await linkMembers(
    linked.store.kysely as unknown as AnyDb,
    users.map((u) => u.userId),
    false,
  );
  const memberIds = (
    await linked.store.kysely.selectFrom("members").select(["id", "discord_user_id"]).execute()
  ).map((r) => ({ memberId: String(r.id), userId: String(r.discord_user_id) }));
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
    now: () => new Date(),
  });
  for (const m of memberIds) {
    // the token endpoint counts against the client's global 50/s: wait out its 429s (setup, not measured)
    for (;;) {
      try {
        await tokens.link(m.memberId, m.userId, ["identify", "role_connections.write"]);
        break;
      } catch (error) {
        const wait = (error as { retryAfterMs?: number | null }).retryAfterMs;
        if (typeof wait !== "number") throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
  log(`linked ${memberIds.length} members through the OAuth flow (role_connections.write)`);
  const lr = createLinkedRoles(
    { store: linked.store, discordApiBaseUrl: sim.apiBaseUrl, tokens, owner: "bench" },
    { rps: opts.rps },
  );
  await lr.registerSchema();
  await lr.round(); // nobody pays yet: nothing to push
  const before429 = setup429();
  const since = Date.now();
  await (linked.store.kysely as unknown as AnyDb)
    .updateTable("members")
    .set({ payment_status: "active" })
    .execute();
  const started = performance.now();
  const summary = await lr.round();
  const linkedSeconds = (performance.now() - started) / 1000;
  const pushes = sim.inspect.requests({ route: "role_connection", since });
  const missing = memberIds.filter(
    (m) => sim.inspect.roleConnection(app.clientId, m.userId)?.metadata.paying !== "1",
  );
  const linked429 = sim.inspect.rateLimited().total - before429;
  await lr.close();
  await linked.store.close();
  linked.remove();
  log(
    `linked roles: ${opts.changes} changes in ${linkedSeconds.toFixed(1)} s, ${pushes.length} pushes, ${linked429} × 429`,
  );

  // ---- Bot roles, same run, same simulator ----
  const botGuild = sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
  const botRole = sim.seed.role({ guildId: botGuild.id, name: "Paid", position: 1 });
  const botUsers = sim.seed.members({
    guildId: botGuild.id,
    count: opts.botChanges,
    roles: () => [],
    avatars: false,
  });
  const bot = tempStore("bot-roles");
  await bot.store.migrate();
  await createConfigLoader({ store: bot.store.configStore, spec: discordConfigSpec }).save({
    bot_token: app.botToken,
    guild_id: botGuild.id,
    role_ids: [botRole.id],
  });
  await linkMembers(
    bot.store.kysely as unknown as AnyDb,
    botUsers.map((u) => u.userId),
    true,
  );
  const sync = createRoleSync(
    {
      store: bot.store,
      discordApiBaseUrl: sim.apiBaseUrl,
      discordCdnBaseUrl: sim.cdnBaseUrl,
      owner: "bench",
    },
    { rps: opts.rps },
  );
  const loaded = await sync.loadSettings();
  if (loaded.status !== "ready")
    throw new Error(`bot-role settings incomplete: ${loaded.missing.join(", ")}`);
  const botBefore429 = sim.inspect.rateLimited().total;
  const roleSince = Date.now();
  const botStarted = performance.now();
  const botSummary = await sync.reconciler.drain({ settings: loaded.settings, gateway: loaded.gateway });
  const botSeconds = (performance.now() - botStarted) / 1000;
  const roleCalls = sim.inspect.requests({ route: "member_role", since: roleSince }).map((r) => r.at);
  const bot429 = sim.inspect.rateLimited().total - botBefore429;
  await sync.close();
  await bot.store.close();
  bot.remove();
  await sim.close();
  // Steady rate: role changes after the bucket's first window of 10, over the time they took.
  const sorted = [...roleCalls].sort((a, b) => a - b);
  const steady = sorted.length > 11 ? (sorted.length - 11) / ((sorted.at(-1)! - sorted[10]!) / 1000) : null;
  const botEstimate = steady ? Math.round(10 / 1 + (opts.changes - 10) / steady) : null;
  log(
    `bot roles: ${botSummary.added} changes in ${botSeconds.toFixed(1)} s (${steady?.toFixed(2)} changes/s steady) → ≈ ${botEstimate} s for ${opts.changes}`,
  );
  return {
    linked_roles: {
      changes: opts.changes,
      budget_rps: opts.rps,
      pushes: pushes.length,
      members_converged: opts.changes - missing.length,
      converge_seconds: Math.round(linkedSeconds * 10) / 10,
      goal_seconds: 120,
      within_goal: linkedSeconds <= 120 && missing.length === 0,
      http_429: linked429,
      summary: summary && {
        pushed: summary.pushed,
        retrying: summary.retrying,
        needs_consent: summary.needsConsent,
      },
    },
    bot_roles: {
      measured_changes: botSummary.added,
      measured_seconds: Math.round(botSeconds * 10) / 10,
      steady_changes_per_second: steady && Math.round(steady * 100) / 100,
      estimated_seconds_for_changes: botEstimate,
      estimate_note: `measured on ${opts.botChanges} changes; ${opts.changes} extrapolated at the measured steady rate after the first bucket window of 10`,
      http_429: bot429,
    },
  };
}
