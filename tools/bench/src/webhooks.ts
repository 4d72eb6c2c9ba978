/**
 * `pnpm bench:webhooks` — webhook notifications fired by SQL triggers, on SQLite and Postgres:
 * 1. latency from the committing INSERT to the simulator receiving the message (p50, p99);
 * 2. INSERT throughput side by side: no trigger, the host writing its own outbox row in the same
 *    transaction (the floor), guildkit with 1, 3 and 10 webhooks on the table;
 * 3. delivery throughput across 50 webhooks within Discord's per-webhook limits (5 per 2 s);
 * 4. a crash loop: 10,000 events while the worker (a child process) is SIGKILLed every few seconds
 *    and restarted — events lost and duplicates delivered;
 * 5. three webhooks sharing one channel's hidden message limit: 429s with the worker's channel
 *    budget and, as the baseline, without it (`webhooks-channel.ts`).
 * Prints one final JSON line.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startDiscordSim } from "@guildkit/discord-sim";
import * as postgres from "@guildkit/store-postgres";
import * as sqlite from "@guildkit/store-sqlite";
import { checkPostgres, createPostgresTestStore } from "@guildkit/store-testkit";
import { createWebhookWorker } from "@guildkit/worker";
import { sql } from "kysely";
import { sharedChannel } from "./webhooks-channel";
import { createTable, percentile, round, seedHooks, type Target } from "./webhooks-common";
import { insertThroughput } from "./webhooks-inserts";

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    latency: { type: "string", default: "200" },
    inserts: { type: "string", default: "300" },
    crash: { type: "string", default: "10000" },
    rounds: { type: "string", default: "12" },
    dialect: { type: "string", default: "both" },
    only: { type: "string", default: "all" },
  },
});
const LATENCY_N = Number(args.latency);
const INSERT_N = Number(args.inserts);
const CRASH_N = Number(args.crash);
/** Rounds of the insert part: each runs every variant once, `--inserts` INSERTs each. */
const ROUNDS = Number(args.rounds);

const targets: Target[] = [];
if (args.dialect !== "postgres") {
  targets.push({
    dialect: "sqlite",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "gk-bench-webhooks-"));
      const file = join(dir, "bench.sqlite");
      const store = sqlite.createSqliteStore({ filename: file });
      await store.migrate();
      return {
        store,
        childDb: `sqlite:${file}`,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  });
}
const pg = await checkPostgres();
if (args.dialect !== "sqlite" && pg.available) {
  targets.push({
    dialect: "postgres",
    async open() {
      const handle = await createPostgresTestStore(postgres, { connectionString: pg.url });
      const store = handle.store as postgres.PostgresStore;
      return { store, childDb: `postgres:${store.schema}@${pg.url}`, close: () => handle.teardown() };
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function latency(t: Target) {
  const sim = await startDiscordSim({
    // Limits lifted on purpose: this part measures the pipeline, not Discord's windows (webhook
    // posts carry no Authorization header, so the per-IP global limit would apply too; the
    // per-channel message limit likewise).
    globalPerSecond: 100_000,
    routeLimits: { execute_webhook: { limit: 100_000, windowMs: 1_000 } },
    resourceLimits: { channel_messages: null },
  });
  const { store, close } = await t.open();
  sim.seed.application({});
  await createTable(store, "lat_items");
  await seedHooks(sim, store, "lat_items", 1, "item {id}");
  const worker = createWebhookWorker({
    store,
    discordApiBaseUrl: sim.apiBaseUrl,
    owner: "bench",
    rps: 1000,
    // The simulator's channel limit is lifted here, so the worker's channel budget is too.
    delivery: { idleWaitMs: 1000, channelBudget: null },
  });
  const controller = new AbortController();
  const running = worker.delivery.run({ signal: controller.signal });
  await sleep(200);
  const committed: number[] = [];
  for (let i = 0; i < LATENCY_N; i++) {
    await sql`insert into lat_items (label, qty) values (${`l${i}`}, ${i})`.execute(store.kysely);
    committed.push(Date.now());
    await sleep(10 + Math.random() * 20);
  }
  const deadline = Date.now() + 30_000;
  while (sim.inspect.messages().length < LATENCY_N && Date.now() < deadline) await sleep(20);
  controller.abort();
  await running;
  const received = sim.inspect
    .requests({ route: "execute_webhook" })
    .filter((r) => r.status === 200)
    .map((r) => r.at);
  const lat = committed.map((c, i) => (received[i] ?? Number.NaN) - c).filter(Number.isFinite);
  await worker.rest?.close();
  await close();
  await sim.close();
  return { p50_ms: round(percentile(lat, 50)), p99_ms: round(percentile(lat, 99)), samples: lat.length };
}

async function deliveryThroughput(t: Target) {
  const sim = await startDiscordSim(); // Discord's defaults: 5 posts per 2 s per webhook
  const { store, close } = await t.open();
  sim.seed.application({});
  await createTable(store, "fan_items");
  const hooks = await seedHooks(sim, store, "fan_items", 50, "{label}");
  const perHook = 10;
  for (let i = 0; i < perHook; i++)
    await sql`insert into fan_items (label) values (${`event ${i}`})`.execute(store.kysely);
  const total = hooks.length * perHook;
  const worker = createWebhookWorker({
    store,
    discordApiBaseUrl: sim.apiBaseUrl,
    owner: "bench",
    delivery: { idleWaitMs: 100, concurrency: 50, perWebhook: 5 },
  });
  const controller = new AbortController();
  const started = performance.now();
  const running = worker.delivery.run({ signal: controller.signal });
  const deadline = Date.now() + 60_000;
  while (sim.inspect.messages().length < total && Date.now() < deadline) await sleep(10);
  const seconds = (performance.now() - started) / 1000;
  controller.abort();
  await running;
  const r429 = sim.inspect.rateLimited().total;
  await worker.rest?.close();
  await close();
  await sim.close();
  // The ceiling: 50 webhooks × 5 posts per 2 s, and the client's 45 posts/s budget.
  const ceiling = Math.min(50 * 2.5, 45);
  return {
    webhooks: 50,
    messages: total,
    messages_per_s: round(total / seconds),
    ceiling_per_s: ceiling,
    rate_limited_429: r429,
  };
}

async function crashLoop(t: Target) {
  const sim = await startDiscordSim({
    // Limits lifted on purpose: this part measures the pipeline, not Discord's windows (webhook
    // posts carry no Authorization header, so the per-IP global limit would apply too; the
    // per-channel message limit likewise).
    globalPerSecond: 100_000,
    routeLimits: { execute_webhook: { limit: 100_000, windowMs: 1_000 } },
    resourceLimits: { channel_messages: null },
  });
  const { store, childDb, close } = await t.open();
  sim.seed.application({});
  await createTable(store, "crash_items");
  const hooks = await seedHooks(sim, store, "crash_items", 10, "event {label}");
  const perHook = Math.ceil(CRASH_N / hooks.length);
  let child: ReturnType<typeof fork> | null = null;
  let kills = 0;
  const start = () =>
    fork(new URL("./webhooks-worker.ts", import.meta.url).pathname, [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, BENCH_DB: childDb, BENCH_API: sim.apiBaseUrl },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
  child = start();
  let inserting = true;
  const killer = (async () => {
    while (inserting || (await store.webhooks.countByState()).pending > 0) {
      await sleep(1500 + Math.random() * 1500);
      if (!inserting && (await store.webhooks.countByState()).pending === 0) break;
      child?.kill("SIGKILL");
      kills++;
      child = start();
      if (kills > 60) break;
    }
  })();
  for (let i = 0; i < perHook; i++) {
    await sql`insert into crash_items (label) values (${`e${i}`})`.execute(store.kysely);
    if (i % 50 === 0) await sleep(20);
  }
  inserting = false;
  await killer;
  const deadline = Date.now() + 120_000;
  while ((await store.webhooks.countByState()).pending > 0 && Date.now() < deadline) await sleep(100);
  child?.kill("SIGKILL");
  const counts = await store.webhooks.countByState();
  const seen = new Map<string, number>();
  for (const m of sim.inspect.messages()) {
    const key = `${m.webhookId}:${m.content}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  let lost = 0;
  for (const hook of hooks) for (let i = 0; i < perHook; i++) if (!seen.has(`${hook}:event e${i}`)) lost++;
  const duplicates = [...seen.values()].reduce((n, c) => n + (c - 1), 0);
  await close();
  await sim.close();
  return {
    events: hooks.length * perHook,
    kills,
    lost,
    duplicates,
    delivered: counts.delivered,
    dead: counts.dead,
    pending: counts.pending,
  };
}

/** `--only inserts,latency` runs those parts (default all: latency, inserts, delivery, crash, channel). */
const parts = new Set(
  args.only === "all" ? ["latency", "inserts", "delivery", "crash", "channel"] : args.only.split(","),
);

const result: Record<string, unknown> = { bench: "webhooks" };
for (const t of targets) {
  console.log(`— ${t.dialect}`);
  const out: Record<string, unknown> = {};
  if (parts.has("latency")) {
    const lat = await latency(t);
    console.log(
      `  latency INSERT → Discord: p50 ${lat.p50_ms} ms, p99 ${lat.p99_ms} ms (${lat.samples} events)`,
    );
    out.latency = lat;
  }
  if (parts.has("inserts")) {
    const ins = await insertThroughput(t, { rounds: ROUNDS, inserts: INSERT_N });
    const r = ins.inserts_per_s;
    console.log(`  inserts/s (${ins.mode}), side by side:`);
    console.log(
      `    no trigger ${r.no_trigger} | own outbox row ${r.own_outbox} | guildkit 1 webhook ${r.guildkit_1} | 3 ${r.guildkit_3} | 10 ${r.guildkit_10} | 3 with WHEN ${r.guildkit_3_when}`,
    );
    console.log(
      `    3 webhooks: ${ins.ratio_3_vs_no_trigger} of no trigger, ${ins.ratio_3_vs_own_outbox} of own outbox; 1 webhook ${ins.ratio_1_vs_no_trigger}; 10 vs 1 ${ins.ratio_10_vs_1}; 3 with WHEN vs 3 ${ins.ratio_3_when_vs_3}; trigger rows per change ${ins.trigger_rows_per_change}`,
    );
    const a = ins.autocommit;
    console.log(
      `    autocommit: no trigger ${a.inserts_per_s.no_trigger} | 1 ${a.inserts_per_s.guildkit_1} (${a.ratio_1_vs_no_trigger}) | 3 ${a.inserts_per_s.guildkit_3} (${a.ratio_3_vs_no_trigger}) | 10 ${a.inserts_per_s.guildkit_10} (10 vs 1 ${a.ratio_10_vs_1})`,
    );
    out.insert_throughput = ins;
  }
  if (parts.has("delivery")) {
    const del = await deliveryThroughput(t);
    console.log(
      `  delivery across 50 webhooks: ${del.messages_per_s} messages/s (ceiling ${del.ceiling_per_s}), ${del.rate_limited_429} 429s`,
    );
    out.delivery = del;
  }
  if (parts.has("crash")) {
    const crash = await crashLoop(t);
    console.log(
      `  crash loop: ${crash.events} events, ${crash.kills} SIGKILLs, ${crash.lost} lost, ${crash.duplicates} duplicates`,
    );
    out.crash_loop = crash;
  }
  if (parts.has("channel")) {
    const ch = await sharedChannel(t);
    console.log(
      `  3 webhooks in one channel (${ch.channel_limit}): with the channel budget ${ch.with_budget.rate_limited_429} 429s, ${ch.with_budget.messages_per_s} messages/s (ceiling ${ch.ceiling_per_s}); without it ${ch.without_budget.rate_limited_429} 429s, ${ch.without_budget.messages_per_s} messages/s`,
    );
    out.shared_channel = ch;
  }
  result[t.dialect] = out;
}
if (!pg.available) result.postgres = { skipped: "no Postgres answered" };
result.baseline = {
  insert_throughput:
    "the same table without triggers, and with the host writing its own outbox row in the same transaction (the floor of the transactional-outbox pattern), same run, interleaved",
  delivery: "Discord's per-webhook limit (5 per 2 s) × 50 webhooks, capped by the 45 posts/s client budget",
  shared_channel:
    "the same three webhooks with the worker's channel budget off, same run (the client waits out each shared 429)",
  goals: {
    latency_p50_ms: { postgres: 20, sqlite: 100 },
    sqlite: { ratio_3_vs_no_trigger: 0.45, ratio_3_vs_own_outbox: 0.9, ratio_10_vs_1: 0.9 },
    postgres: { ratio_3_vs_no_trigger: 0.8 },
    lost: 0,
    shared_channel_429: 0,
  },
};
console.log(JSON.stringify(result));
process.exit(0);
