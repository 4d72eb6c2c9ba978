import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { linkedRolesConfigSpec, roleSyncConfigSpec } from "@guildkit/role-reconciler";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { runReconcileCommand } from "../src/reconcile-command";
import { registerRoleSyncMetrics } from "../src/role-sync";
import { FAST_SYNC, seededGuild, waitFor } from "./role-sync-harness";

type Guild = Awaited<ReturnType<typeof seededGuild>>;
let current: Guild | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

async function guild(opts: { count: number }): Promise<Guild> {
  current = await seededGuild(opts);
  return current;
}

/** Runs a worker until `done` (default: the guild converged), then stops it like SIGTERM. */
async function runUntilConverged(
  g: Guild,
  owner = "w1",
  options = FAST_SYNC,
  done = () => g.wrong().length === 0,
) {
  const sync = g.sync(owner, options);
  const stop = new AbortController();
  const running = sync.loop.run({ stop: stop.signal });
  try {
    await waitFor(done, 30_000, "convergence");
  } finally {
    stop.abort();
    await running;
    await sync.close();
  }
}

describe("role sync end to end against discord-sim", () => {
  it("converges a seeded guild, with one audit-logged call per real change", async () => {
    const g = await guild({ count: 300 });
    const before = g.wrong().length;
    expect(before).toBeGreaterThan(100);
    await runUntilConverged(g);
    const changes = g.sim.inspect.roleChanges();
    expect(changes).toHaveLength(before);
    expect(changes.every((c) => c.reason?.startsWith("guildkit: "))).toBe(true);
    // Bulk: the member list was read in pages, not member by member.
    expect(g.sim.inspect.requests({ route: "list_members" }).length).toBeGreaterThan(0);
    expect(g.sim.inspect.requests({ route: "get_member" }).length).toBe(0);
    const events = await g.store.eventLog.list({ kind: "role.added" });
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ discordUserId: expect.any(String), data: { roleId: g.role.id } });
  });

  it("converges through a 429 storm", async () => {
    const g = await guild({ count: 80 });
    g.sim.faults.set({ route: "member_role", force429: { count: 30, retryAfterMs: 30 } });
    await runUntilConverged(g);
    const received = g.sim.inspect.rateLimited().total;
    expect(received).toBeGreaterThanOrEqual(30);
    // Every 429 the client waited out is in the event log, aggregated into a few rows.
    const rows = await g.store.eventLog.list({ kind: "discord.rate_limited", limit: 1000 });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows.reduce((sum, row) => sum + Number(row.data?.count), 0)).toBe(received);
    expect(rows[0]?.data).toMatchObject({
      status: 429,
      route: expect.stringMatching(/^(PUT|DELETE) \/guilds\//),
    });
  });

  it("converges with 10 % of answers failing with 5xx", async () => {
    const g = await guild({ count: 120 });
    g.sim.faults.set({ route: "*", errorRate: 0.1 });
    await runUntilConverged(g);
    const failed = g.sim.inspect.requests().filter((r) => r.status >= 500).length;
    expect(failed).toBeGreaterThan(0);
    // The errors the client retried on its own reach the event log, by route template and status.
    const retried = await g.store.eventLog.list({ kind: "discord.retry", limit: 1000 });
    expect(retried.length).toBeGreaterThan(0);
    for (const row of retried) {
      expect(row.data).toMatchObject({
        status: expect.any(Number),
        route: expect.stringMatching(/^[A-Z]+ \//),
      });
      expect(Number(row.data?.status)).toBeGreaterThanOrEqual(500);
      expect(JSON.stringify(row)).not.toContain(g.app.botToken);
    }
    const count = retried.reduce((sum, row) => sum + Number(row.data?.count), 0);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(failed);
  });

  it("a worker killed mid-run leaves leases that another worker takes over", async () => {
    const g = await guild({ count: 60 });
    g.sim.faults.set({ route: "member_role", latencyMs: 150 });
    const fixture = fileURLToPath(new URL("./fixtures/role-worker.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", fixture], {
      env: {
        ...process.env,
        GK_DB: g.filename,
        GK_API: g.sim.apiBaseUrl,
        GK_CDN: g.sim.cdnBaseUrl,
        GK_OWNER: "doomed",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    try {
      await waitFor(
        () => g.sim.inspect.roleChanges().length >= 3,
        20_000,
        "the doomed worker to start changing roles",
      );
      child.kill("SIGKILL");
      await exited;
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    const leased = await g.store.kysely
      .selectFrom("role_sync_state")
      .select("member_id")
      .where("lease_owner", "=", "doomed")
      .execute();
    expect(leased.length).toBeGreaterThan(0);
    expect(g.wrong().length).toBeGreaterThan(0);
    g.sim.faults.clear();
    await runUntilConverged(g, "survivor");
    const stillDoomed = await g.store.kysely
      .selectFrom("role_sync_state")
      .select("member_id")
      .where("lease_owner", "=", "doomed")
      .execute();
    expect(stillDoomed).toEqual([]);
  });

  it("idles while the bot settings are incomplete and says so once", async () => {
    const g = await guild({ count: 5 });
    await g.store.kysely.deleteFrom("config_versions").execute();
    const statuses: string[] = [];
    const { createRoleSync } = await import("../src/role-sync");
    const sync = createRoleSync(
      {
        store: g.store,
        discordApiBaseUrl: g.sim.apiBaseUrl,
        discordCdnBaseUrl: g.sim.cdnBaseUrl,
        owner: "idle",
        onStatus: (s) => statuses.push(s.state),
      },
      { ...FAST_SYNC, loop: { ...FAST_SYNC.loop, idlePollMs: 20 } },
    );
    const stop = new AbortController();
    const running = sync.loop.run({ stop: stop.signal });
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    await running;
    await sync.close();
    expect(statuses).toEqual(["idle"]);
    expect(await g.store.eventLog.list({ kind: "role_sync.idle" })).toHaveLength(1);
    expect(g.sim.inspect.requests()).toHaveLength(0);
  });

  it("the CLI dry run prints the plan and changes nothing; applying converges with a summary", async () => {
    const g = await guild({ count: 40 });
    const sync = g.sync("cli");
    let out = "";
    const write = (t: string) => {
      out += t;
    };
    const io = { out: { write }, err: { write } };
    expect(await runReconcileCommand(sync, g.store.roleSync.queue, { dryRun: true, ...io })).toBe(0);
    expect(out).toMatch(/would add \d+ role\(s\)/);
    expect(out).toMatch(/would remove \d+ role\(s\)/);
    expect(g.sim.inspect.roleChanges()).toHaveLength(0);
    out = "";
    expect(await runReconcileCommand(sync, g.store.roleSync.queue, { dryRun: false, ...io })).toBe(0);
    expect(g.wrong()).toEqual([]);
    // The members were all due already (just linked): the total counts them, not only those marked.
    expect(out).toMatch(/^40 member\(s\) to reconcile$/m);
    expect(out).toMatch(/Reconciled 40 member\(s\)/);
    await sync.close();
  });

  it("runs on entitlement rules alone: role_ids are required only without rules", async () => {
    const g = await guild({ count: 20 });
    await createConfigLoader({ store: g.store.configStore, spec: discordConfigSpec }).save({
      role_ids: null,
    });
    const sync = g.sync("rules-only");
    expect(await sync.loadSettings()).toEqual({ status: "incomplete", missing: ["role_ids"] });
    await sync.close();
    await createConfigLoader({ store: g.store.configStore, spec: roleSyncConfigSpec }).save({
      rules: [{ kind: "present", column: "payment_status", roleIds: [g.role.id] }],
    });
    await runUntilConverged(g, "rules-only");
    expect(await g.store.eventLog.list({ kind: "role_sync.idle" })).toEqual([]);
  });

  it("a restart with changed role ids revokes the old role from everyone who held it", async () => {
    const g = await guild({ count: 30 });
    await runUntilConverged(g);
    const gold = g.sim.seed.role({ guildId: g.guild.id, name: "Gold", position: 2 });
    // Saved while no worker runs; the next worker notices at start.
    await createConfigLoader({ store: g.store.configStore, spec: discordConfigSpec }).save({
      role_ids: [gold.id],
    });
    const rolesOf = (userId: string) => g.sim.inspect.member(g.guild.id, userId)?.roles ?? [];
    await runUntilConverged(g, "restarted", FAST_SYNC, () =>
      g.seeded.every(
        (m) =>
          !rolesOf(m.userId).includes(g.role.id) &&
          rolesOf(m.userId).includes(gold.id) === g.paying.has(m.userId),
      ),
    );
    expect(await g.store.eventLog.list({ kind: "role.settings_changed" })).toHaveLength(1);
  });

  it("idles (bot roles off) while linked_roles.mode is linked_roles, and syncs again in both", async () => {
    const g = await guild({ count: 2 });
    const sync = g.sync("w1");
    const modes = createConfigLoader({ store: g.store.configStore, spec: linkedRolesConfigSpec });
    expect((await sync.loadSettings()).status).toBe("ready");
    await modes.save({ mode: "linked_roles" });
    expect(await sync.loadSettings()).toEqual({
      status: "incomplete",
      missing: ["bot roles (off: linked_roles.mode is linked_roles)"],
    });
    await modes.save({ mode: "both" });
    expect((await sync.loadSettings()).status).toBe("ready");
    await sync.close();
  });

  it("a role above the bot is logged once at error level and shows in the gauges", async () => {
    const g = await guild({ count: 10 });
    const above = g.sim.seed.role({ guildId: g.guild.id, name: "Above", position: 20 });
    await createConfigLoader({ store: g.store.configStore, spec: discordConfigSpec }).save({
      role_ids: [above.id],
    });
    const errors: string[] = [];
    const log = { warn: () => {}, error: (_fields: unknown, message: string) => errors.push(message) };
    const sync = g.sync("w1", FAST_SYNC, { log });
    const registry = new Registry();
    registerRoleSyncMetrics(registry, { reconciler: sync.reconciler, store: g.store.roleSync });
    const stop = new AbortController();
    const running = sync.loop.run({ stop: stop.signal });
    try {
      await waitFor(
        async () => (await g.store.roleSync.countByState()).permanent_error === g.paying.size,
        20_000,
        "the paying members to be recorded in permanent error",
      );
    } finally {
      stop.abort();
      await running;
      await sync.close();
    }
    expect(errors.filter((m) => m.includes("move the bot's role above it"))).toHaveLength(1);
    const text = await registry.metrics();
    expect(text).toMatch(/guildkit_role_sync_blocks\{scope="role"\} 1/);
    expect(text).toContain(`guildkit_role_sync_members{state="permanent_error"} ${g.paying.size}`);
  });
});
