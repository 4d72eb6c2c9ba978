import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runReconcileCommand } from "../src/reconcile-command";
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

async function runUntilConverged(g: Guild, owner = "w1", options = FAST_SYNC) {
  const sync = g.sync(owner, options);
  const stop = new AbortController();
  const running = sync.loop.run({ stop: stop.signal });
  try {
    await waitFor(() => g.wrong().length === 0, 30_000, "convergence");
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
    expect(g.sim.inspect.rateLimited().total).toBeGreaterThanOrEqual(30);
  });

  it("converges with 10 % of answers failing with 5xx", async () => {
    const g = await guild({ count: 120 });
    g.sim.faults.set({ route: "*", errorRate: 0.1 });
    await runUntilConverged(g);
    expect(g.sim.inspect.requests().filter((r) => r.status >= 500).length).toBeGreaterThan(0);
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
    expect(out).toMatch(/Reconciled 40 member\(s\)/);
    await sync.close();
  });
});
