/**
 * `pnpm bench:retention` — does the retention purge hold long locks? On PostgreSQL (a schema of its
 * own), `--rows` delivered outbox events (delivered 0–30 days ago) plus 5 % pending ones and `--rows`
 * event-log entries (0–60 days old); then `store.retention.purge()` (defaults: outbox 7 days, event log
 * 30 days, 1,000 rows per DELETE) while a writer keeps inserting event-log rows, recording every DELETE
 * statement's duration and the writer's insert latency. The baseline, on an identical second
 * data set in the same run: the naive purge, one `DELETE … WHERE age < cutoff` per table.
 * Goal (issue 15): no purge statement over 200 ms on 1,000,000 rows. Final line: JSON.
 */
import { parseArgs } from "node:util";
import { createPostgresStore } from "@guildkit/store-postgres";
import { plantWebhook, postgresTestUrl } from "@guildkit/store-testkit";
import { sql } from "kysely";
import pg from "pg";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: { rows: { type: "string", default: "1000000" } },
});
const ROWS = Number(values.rows);
const NOW = new Date("2026-11-30T12:00:00.000Z");
const url = postgresTestUrl();

const stats = (ms: number[]) => {
  const s = ms.slice().sort((a, b) => a - b);
  const at = (q: number) => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 10) / 10;
  return { n: s.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
};

/** A pool that times every DELETE its clients run. */
function timedPool(schema: string, deletes: number[]): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
    const client = await connect();
    const marked = client as pg.PoolClient & { timed?: boolean };
    if (!marked.timed) {
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as { query: unknown }).query = async (...args: unknown[]) => {
        const text = typeof args[0] === "string" ? args[0] : ((args[0] as { text?: string })?.text ?? "");
        const started = performance.now();
        try {
          return await query(...args);
        } finally {
          if (/^\s*delete/i.test(text)) deletes.push(performance.now() - started);
        }
      };
      marked.timed = true;
    }
    return client;
  };
  return pool;
}

async function seed(schema: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
  const store = createPostgresStore({ connectionString: url, schema, clock: { now: () => NOW } });
  await store.migrate();
  const db = store.kysely;
  const hook = { id: await plantWebhook(db, "postgres", NOW) };
  const now = NOW.toISOString();
  await sql`insert into webhook_outbox (webhook_id, op, new_row, created_at, state, delivered_at)
    select ${hook.id}, 'INSERT', '{}'::jsonb, t, 'delivered', t
    from (select ${now}::timestamptz - (random() * interval '30 days') as t from generate_series(1, ${ROWS})) s`.execute(
    db,
  );
  await sql`insert into webhook_outbox (webhook_id, op, new_row, created_at, state)
    select ${hook.id}, 'INSERT', '{}'::jsonb, ${now}::timestamptz - (random() * interval '30 days'), 'pending'
    from generate_series(1, ${Math.round(ROWS / 20)})`.execute(db);
  await sql`insert into event_log (at, kind, level, message, data)
    select ${now}::timestamptz - (random() * interval '60 days'), 'bench.row', 'info', 'x', '{}'
    from generate_series(1, ${ROWS})`.execute(db);
  await sql`analyze`.execute(db);
  await store.close();
}

/** Inserts event-log rows one at a time until `stop`, recording each insert's latency. */
async function writer(schema: string, stop: { done: boolean }): Promise<number[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  const ms: number[] = [];
  while (!stop.done) {
    const started = performance.now();
    await client.query(
      "insert into event_log (at, kind, level, message, data) values (now(), 'bench.live', 'info', 'y', '{}')",
    );
    ms.push(performance.now() - started);
  }
  await client.end();
  return ms;
}

async function guildkitPurge(schema: string) {
  const deletes: number[] = [];
  const store = createPostgresStore({ pool: timedPool(schema, deletes), clock: { now: () => NOW } });
  const stop = { done: false };
  const writes = writer(schema, stop);
  const started = performance.now();
  const report = await store.retention.purge();
  const totalMs = performance.now() - started;
  stop.done = true;
  const inserts = await writes;
  await store.close();
  return {
    ...report,
    total_s: Math.round(totalMs / 100) / 10,
    deletes: stats(deletes),
    concurrent_inserts: stats(inserts),
  };
}

async function naivePurge(schema: string) {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  const stop = { done: false };
  const writes = writer(schema, stop);
  const deletes: number[] = [];
  let deleted = 0;
  for (const text of [
    `delete from webhook_outbox where state = 'delivered' and delivered_at < $1`,
    `delete from event_log where at < $2`,
  ]) {
    const started = performance.now();
    const cutoffs = [new Date(NOW.getTime() - 7 * 86_400_000), new Date(NOW.getTime() - 30 * 86_400_000)];
    const result = await client.query(text.replace("$2", "$1"), [
      text.includes("event_log") ? cutoffs[1] : cutoffs[0],
    ]);
    deletes.push(performance.now() - started);
    deleted += result.rowCount ?? 0;
  }
  stop.done = true;
  const inserts = await writes;
  await client.end();
  return { deleted, deletes: stats(deletes), concurrent_inserts: stats(inserts) };
}

await seed("bench_retention_a");
await seed("bench_retention_b");
const guildkit = await guildkitPurge("bench_retention_a");
const naive = await naivePurge("bench_retention_b");
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query("drop schema if exists bench_retention_a cascade");
await admin.query("drop schema if exists bench_retention_b cascade");
await admin.end();
console.log(
  JSON.stringify({
    bench: "retention",
    rows: ROWS,
    guildkit,
    naive,
    goal_max_statement_ms: 200,
    max_statement_ms: guildkit.deletes.max_ms,
    ok: guildkit.deletes.max_ms <= 200,
  }),
);
