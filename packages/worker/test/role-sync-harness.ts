import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { type DiscordSim, type DiscordSimOptions, startDiscordSim } from "@guildkit/discord-sim";
import { createSqliteStore, type SqliteStore } from "@guildkit/store-sqlite";
import { testSecretBox } from "@guildkit/store-testkit";
import { createRoleSync, type RoleSyncDeps, type RoleSyncOptions } from "../src/role-sync";

/** Simulator limits small enough that tests never wait out Discord's real windows. */
export const FAST_LIMITS: DiscordSimOptions = {
  globalPerSecond: 100_000,
  routeLimits: {
    get_member: { limit: 1000, windowMs: 50 },
    list_members: { limit: 100, windowMs: 50 },
    member_role: { limit: 1000, windowMs: 50 },
    cdn: { limit: 1000, windowMs: 50 },
  },
};

/** Fast reconciler settings for tests: short backoff so transient failures are retried quickly. */
export const FAST_SYNC: RoleSyncOptions = {
  rps: 1000,
  reconciler: { backoff: { baseMs: 20, capMs: 500, jitter: 0 }, probeMs: 500 },
  loop: { pollMs: 25, errorPauseMs: 20, maxErrorPauseMs: 200 },
  rest: { retries: 3, timeoutMs: 5000 },
};

/** A seeded guild and a migrated SQLite store whose members link its users (every other one paying). */
export async function seededGuild(opts: { count: number; sim?: DiscordSimOptions }) {
  const sim: DiscordSim = await startDiscordSim({ ...FAST_LIMITS, ...opts.sim });
  const app = sim.seed.application({});
  const guild = sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
  const role = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
  // Some start with the role (a few wrongly), so both adds and removes are needed.
  const seeded = sim.seed.members({
    guildId: guild.id,
    count: opts.count,
    roles: (i) => (i % 3 === 0 ? [role.id] : []),
    avatars: false,
  });
  const dir = mkdtempSync(join(tmpdir(), "guildkit-role-sync-"));
  const filename = join(dir, "db.sqlite");
  const store: SqliteStore = createSqliteStore({ filename, secretBox: testSecretBox() });
  await store.migrate();
  await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
    bot_token: app.botToken,
    guild_id: guild.id,
    role_ids: [role.id],
  });
  const paying = new Set<string>();
  for (const [i, m] of seeded.entries()) {
    const pays = i % 2 === 0;
    if (pays) paying.add(m.userId);
    await store.members.create({
      email: `m${i}@example.test`,
      discordUserId: m.userId,
      paymentStatus: pays ? "active" : null,
    });
  }
  /** Members whose guild roles differ from their entitlement. */
  const wrong = () =>
    seeded.filter((m) => {
      const roles = sim.inspect.member(guild.id, m.userId)?.roles ?? [];
      return roles.includes(role.id) !== paying.has(m.userId);
    });
  const sync = (owner: string, options: RoleSyncOptions = FAST_SYNC, deps: Partial<RoleSyncDeps> = {}) =>
    createRoleSync(
      { store, discordApiBaseUrl: sim.apiBaseUrl, discordCdnBaseUrl: sim.cdnBaseUrl, owner, ...deps },
      options,
    );
  return {
    sim,
    app,
    guild,
    role,
    seeded,
    store,
    filename,
    paying,
    wrong,
    sync,
    async close() {
      await store.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` is true (or throws after `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
) {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
