/**
 * `pnpm bench:reconcile` — role reconciliation at scale.
 *
 * 1. Reconciles N linked members (default 100,000) of whom 1 % need a change, against
 *    discord-sim with Discord's real limits, at the default budget of 3 requests/s: Discord calls,
 *    429s, wall time — beside the seed module's cost model for the same N.
 * 2. Claims per second of the store claim loop (claim + complete): SQLite in one process, Postgres
 *    with 4 concurrent claimers (double claims counted) — beside the seed's one-row claim measured
 *    in the same run.
 *
 * Flags: --members N, --claims N, --skip-reconcile, --skip-claims.
 *
 * `--mode linked-roles` (see `reconcile-linked-roles.ts`) instead compares 1,000 entitlement changes
 * (`--changes N`) delivered as Linked Roles metadata against bot roles (`--bot-changes N` measured).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { startDiscordSim } from "@guildkit/discord-sim";
import type { SyncQueue } from "@guildkit/role-reconciler";
import * as postgres from "@guildkit/store-postgres";
import { createSqliteStore } from "@guildkit/store-sqlite";
import { checkPostgres, createPostgresTestStore, testSecretBox } from "@guildkit/store-testkit";
import { createRoleSync } from "@guildkit/worker";

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    members: { type: "string", default: "100000" },
    claims: { type: "string", default: "100000" },
    "skip-reconcile": { type: "boolean", default: false },
    "skip-claims": { type: "boolean", default: false },
    mode: { type: "string", default: "bot-roles" },
    changes: { type: "string", default: "1000" },
    "bot-changes": { type: "string", default: "60" },
  },
});
const N = Number(flags.members);
const CLAIMS = Number(flags.claims);
const log = (line: string) => process.stdout.write(`${line}\n`);

// biome-ignore lint/suspicious/noExplicitAny: bulk inserts into the members table of any store
type AnyDb = { insertInto(table: string): any };

async function insertMembers(db: AnyDb, count: number, row: (i: number) => Record<string, unknown>) {
  for (let start = 0; start < count; start += 500) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + 500); i += 1) rows.push(row(i));
    await db.insertInto("members").values(rows).execute();
  }
}

async function benchReconcile() {
  const sim = await startDiscordSim({}); // Discord's real limits (the simulator's defaults)
  const app = sim.seed.application({});
  const guild = sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
  const role = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
  const paying = (i: number) => i % 2 === 0;
  // 1 % need a change: i % 200 = 0 pays but lacks the role, i % 200 = 1 holds it without paying.
  const seeded = sim.seed.members({
    guildId: guild.id,
    count: N,
    roles: (i) => ((paying(i) ? i % 200 !== 0 : i % 200 === 1) ? [role.id] : []),
    avatars: false,
  });
  const expectedChanges = seeded.filter((_, i) => i % 200 === 0 || i % 200 === 1).length;
  const dir = mkdtempSync(join(tmpdir(), "guildkit-bench-reconcile-"));
  const store = createSqliteStore({ filename: join(dir, "db.sqlite"), secretBox: testSecretBox() });
  await store.migrate();
  await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
    bot_token: app.botToken,
    guild_id: guild.id,
    role_ids: [role.id],
  });
  await insertMembers(store.kysely as unknown as AnyDb, N, (i) => ({
    email: `m${i}@example.test`,
    discord_user_id: seeded[i]!.userId,
    payment_status: paying(i) ? "active" : null,
  }));
  log(`seeded ${N} members (${expectedChanges} need a change); reconciling at 3 req/s…`);

  const sync = createRoleSync(
    { store, discordApiBaseUrl: sim.apiBaseUrl, discordCdnBaseUrl: sim.cdnBaseUrl, owner: "bench" },
    { rps: 3 },
  );
  const loaded = await sync.loadSettings();
  if (loaded.status !== "ready") throw new Error(`settings incomplete: ${loaded.missing.join(", ")}`);
  const since = Date.now();
  const started = performance.now();
  let done = 0;
  const summary = await sync.reconciler.drain({
    settings: loaded.settings,
    gateway: loaded.gateway,
    onMember: () => {
      done += 1;
      if (done % 10_000 === 0)
        log(`  ${done}/${N} members, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const requests = sim.inspect.requests({ since }).filter((r) => r.route !== "cdn");
  const http429 = sim.inspect.rateLimited().total;
  const wrong = seeded.filter(
    (m, i) => (sim.inspect.member(guild.id, m.userId)?.roles ?? []).includes(role.id) !== paying(i),
  );
  await sync.close();
  await store.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });

  const goalCalls = 1.1 * (N / 1000 + expectedChanges);
  const result = {
    members: N,
    changes_needed: expectedChanges,
    changes_made: summary.added + summary.removed,
    mode: summary.mode,
    discord_calls: requests.length,
    list_pages: summary.listedPages,
    goal_max_calls: Math.round(goalCalls),
    calls_within_goal: requests.length <= goalCalls,
    http_429: http429,
    wall_seconds: Math.round(wallSeconds),
    members_wrong_after: wrong.length,
  };
  // The seed module: one member per second (token bucket 1/s), a GET member and an avatar download
  // per member every time, plus the role call; at most 10 members re-marked per minute.
  const seedModel = {
    members_per_second: 1,
    discord_calls_min: N + expectedChanges,
    discord_and_cdn_calls: 2 * N + expectedChanges,
    wall_seconds: N,
    wall_hours: Math.round((N / 3600) * 10) / 10,
    full_pass_ceiling_per_day: 14_400,
    full_pass_days_at_ceiling: Math.round((N / 14_400) * 100) / 100,
  };
  log(
    `reconcile: ${result.discord_calls} Discord calls (goal ≤ ${result.goal_max_calls}), ${http429} × 429, ` +
      `${result.wall_seconds} s wall; seed model: ≥ ${seedModel.discord_calls_min} calls, ${seedModel.wall_hours} h`,
  );
  return { result, seedModel };
}

async function claimLoop(queue: SyncQueue, owner: string, limit: number, seen: Map<string, number>) {
  const now = new Date();
  let claimed = 0;
  for (;;) {
    const items = await queue.claimDue({ owner, leaseMs: 600_000, limit, now, columns: ["payment_status"] });
    if (items.length === 0) return claimed;
    claimed += items.length;
    for (const item of items) seen.set(item.memberId, (seen.get(item.memberId) ?? 0) + 1);
    await queue.completeMany(
      items.map((item) => ({
        item,
        outcome: {
          state: "ok" as const,
          checkedAt: now,
          nextDueAt: new Date(now.getTime() + 86_400_000),
          attempts: 0,
          lastError: null,
          forget: false,
        },
      })),
    );
  }
}

async function benchSqliteClaims() {
  const dir = mkdtempSync(join(tmpdir(), "guildkit-bench-claims-"));
  const store = createSqliteStore({ filename: join(dir, "db.sqlite") });
  await store.migrate();
  const baselineN = Math.min(10_000, CLAIMS);
  await insertMembers(store.kysely as unknown as AnyDb, CLAIMS + baselineN, (i) => ({
    email: `c${i}@example.test`,
    discord_user_id: String(300000000000000000n + BigInt(i)),
    payment_status: "active",
  }));
  // Baseline first: the seed's claim, one row per statement.
  const seen = new Map<string, number>();
  let t = performance.now();
  let baselineClaimed = 0;
  while (baselineClaimed < baselineN) {
    const n = await claimLoopOnce(store.roleSync.queue, seen);
    if (n === 0) break;
    baselineClaimed += n;
  }
  const baseline = baselineClaimed / ((performance.now() - t) / 1000);
  t = performance.now();
  const claimed = await claimLoop(store.roleSync.queue, "bench", 500, seen);
  const rate = claimed / ((performance.now() - t) / 1000);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  log(`sqlite: ${Math.round(rate)} claims/s (batch 500) vs ${Math.round(baseline)} claims/s one at a time`);
  return {
    claims: claimed,
    claims_per_second: Math.round(rate),
    seed_one_row_claims_per_second: Math.round(baseline),
  };
}

async function claimLoopOnce(queue: SyncQueue, seen: Map<string, number>) {
  const now = new Date();
  const [item] = await queue.claimDue({ owner: "seed", leaseMs: 600_000, limit: 1, now, columns: [] });
  if (!item) return 0;
  seen.set(item.memberId, 1);
  await queue.complete(item, {
    state: "ok",
    checkedAt: now,
    nextDueAt: new Date(now.getTime() + 86_400_000),
    attempts: 0,
    lastError: null,
    forget: false,
  });
  return 1;
}

async function benchPostgresClaims() {
  const pg = await checkPostgres();
  if (!pg.available) {
    log("postgres: not available, skipped");
    return null;
  }
  const handle = await createPostgresTestStore(postgres, { connectionString: pg.url });
  try {
    await insertMembers(handle.store.kysely as unknown as AnyDb, CLAIMS, (i) => ({
      email: `p${i}@example.test`,
      discord_user_id: String(400000000000000000n + BigInt(i)),
      payment_status: "active",
    }));
    const seen = new Map<string, number>();
    const t = performance.now();
    const counts = await Promise.all(
      ["c1", "c2", "c3", "c4"].map((owner) => claimLoop(handle.store.roleSync.queue, owner, 500, seen)),
    );
    const elapsed = (performance.now() - t) / 1000;
    const total = counts.reduce((a, b) => a + b, 0);
    const doubles = [...seen.values()].filter((n) => n > 1).length;
    log(`postgres: ${Math.round(total / elapsed)} claims/s with 4 claimers, ${doubles} double claims`);
    return {
      claimers: 4,
      claims: total,
      claims_per_second: Math.round(total / elapsed),
      per_claimer: counts,
      double_claims: doubles,
    };
  } finally {
    await handle.teardown();
  }
}

if (flags.mode === "linked-roles") {
  const { benchLinkedRoles } = await import("./reconcile-linked-roles");
  const figures = await benchLinkedRoles({
    changes: Number(flags.changes),
    botChanges: Number(flags["bot-changes"]),
    rps: 10,
  });
  process.stdout.write(
    `${JSON.stringify({ bench: "reconcile", mode: "linked-roles", linked_roles: figures.linked_roles, baseline: { bot_roles: figures.bot_roles } })}\n`,
  );
  process.exit(0);
}
const reconcile = flags["skip-reconcile"] ? null : await benchReconcile();
const sqliteClaims = flags["skip-claims"] ? null : await benchSqliteClaims();
const postgresClaims = flags["skip-claims"] ? null : await benchPostgresClaims();
process.stdout.write(
  `${JSON.stringify({
    bench: "reconcile",
    reconcile: reconcile?.result ?? null,
    claims: {
      sqlite: sqliteClaims && { ...sqliteClaims, goal: 15_000 },
      postgres: postgresClaims && { ...postgresClaims, goal: 5_000 },
    },
    baseline: {
      seed_cost_model: reconcile?.seedModel ?? null,
      seed_one_row_claims_per_second: sqliteClaims?.seed_one_row_claims_per_second ?? null,
    },
  })}\n`,
);
process.exit(0);
