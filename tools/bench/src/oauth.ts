/**
 * `pnpm bench:oauth` — requests/s of `GET /login/discord` (a redirect with a freshly signed state,
 * PKCE challenge and binding cookie, the OAuth client read from the config store) on the reference
 * server, against a bare Hono route served the same way in the same run. The load generator runs in a
 * worker thread (undici, fixed concurrency, fixed number of requests) so it does not share the
 * servers' event loop. Rounds alternate the two targets; the ratio is the median of the rounds'
 * ratios. Final line: JSON with both rates and the ratio (goal ≥ 0.5).
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { createConfigLoader, discordConfigSpec, parseProcessSettings } from "@guildkit/config";
import { type AppStore, createLogger, createMetrics } from "@guildkit/runtime";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore, TEST_SECRET_KEY } from "@guildkit/store-testkit";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createServerApp } from "../../../apps/server/src/app";

const { values } = parseArgs({
  // `pnpm bench:oauth -- --requests 2000` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    requests: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "32" },
    rounds: { type: "string", default: "5" },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Server event-loop busy time per request, µs. */
  server_busy_us: number;
}

// The load generator: undici Pool, `concurrency` requests in flight, `requests` in total.
const LOAD_GENERATOR = `
const { parentPort, workerData } = require("node:worker_threads");
const { Pool } = require(workerData.undici);
(async () => {
  const { origin, path, requests, concurrency, expectStatus } = workerData;
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const latencies = new Float64Array(requests);
  let next = 0, ok = 0, failed = 0;
  const started = performance.now();
  async function lane() {
    while (next < requests) {
      const i = next++;
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: "GET", path });
        await res.body.dump();
        if (res.statusCode === expectStatus) ok++; else failed++;
      } catch { failed++; }
      latencies[i] = performance.now() - t0;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
  parentPort.postMessage({ requests, ok, failed, seconds, rps: requests / seconds, p50_ms: at(0.5), p99_ms: at(0.99) });
})();
`;

const undiciPath = createRequire(import.meta.url).resolve("undici");

function load(origin: string, path: string, requests: number, expectStatus: number): Promise<LoadResult> {
  // The servers run on this thread: its event-loop busy time per request is the server's cost.
  const elu = performance.eventLoopUtilization();
  return new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(LOAD_GENERATOR, {
      eval: true,
      workerData: { undici: undiciPath, origin, path, requests, concurrency: CONCURRENCY, expectStatus },
    });
    worker.once("message", (result: Omit<LoadResult, "server_busy_us">) => {
      const busyMs = performance.eventLoopUtilization(elu).active;
      void worker.terminate();
      resolve({ ...result, server_busy_us: Math.round((busyMs * 1000) / requests) });
    });
    worker.once("error", reject);
  });
}

function listen(app: Hono): Promise<{ origin: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

const round2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  // The reference server on a temp SQLite file, with OAuth configured.
  const handle = await createSqliteTestStore(sqlite);
  const store = handle.store as AppStore;
  await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
    client_id: "123456789012345678",
    client_secret: "bench-client-secret",
  });
  const settings = parseProcessSettings({
    DATABASE_URL: ":memory:",
    PUBLIC_BASE_URL: "http://127.0.0.1:3000",
    STATE_SIGNING_KEY: "bench-state-signing-key-0123456789abcdef",
    ADMIN_TOKEN: "bench-admin-token-0123456789",
    GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "silent",
    NODE_ENV: "production",
  });
  const reference = await listen(
    createServerApp({
      settings,
      store,
      logger: createLogger({ name: "bench", level: "silent" }),
      metrics: createMetrics("bench"),
      ping: () => store.ping(),
    }),
  );
  // The baseline: a bare Hono route on the same adapter.
  const bareApp = new Hono();
  bareApp.get("/bare", (c) => c.text("ok"));
  const bare = await listen(bareApp);

  console.log(`bench:oauth — ${REQUESTS} requests × ${ROUNDS} rounds per target, concurrency ${CONCURRENCY}`);
  // Warm up both (JIT, connection setup, SQLite page cache).
  await load(bare.origin, "/bare", Math.min(2000, REQUESTS), 200);
  await load(reference.origin, "/login/discord?next=%2Fdashboard", Math.min(2000, REQUESTS), 302);

  const bareRuns: LoadResult[] = [];
  const oauthRuns: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const b = await load(bare.origin, "/bare", REQUESTS, 200);
    console.log(
      `  bare hono route     ${b.rps.toFixed(0)} req/s  p50 ${b.p50_ms} ms  p99 ${b.p99_ms} ms  failed ${b.failed}`,
    );
    bareRuns.push(b);
    const o = await load(reference.origin, "/login/discord?next=%2Fdashboard", REQUESTS, 302);
    console.log(
      `  GET /login/discord  ${o.rps.toFixed(0)} req/s  p50 ${o.p50_ms} ms  p99 ${o.p99_ms} ms  failed ${o.failed}  server ${o.server_busy_us} µs/req  (ratio ${(o.rps / b.rps).toFixed(3)})`,
    );
    oauthRuns.push(o);
  }
  await reference.close();
  await bare.close();
  await handle.teardown();

  const mean = (runs: LoadResult[], key: "rps" | "p50_ms" | "p99_ms" | "server_busy_us") =>
    runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
  const failed = (runs: LoadResult[]) => runs.reduce((sum, r) => sum + r.failed, 0);
  const loginRps = mean(oauthRuns, "rps");
  const bareRps = mean(bareRuns, "rps");
  // Each round runs the two targets back to back, so a round's ratio is read under the same machine
  // load; the reported ratio is the median of the rounds' ratios (robust to a noisy neighbour).
  const ratios = oauthRuns.map((o, i) => o.rps / (bareRuns[i]?.rps ?? Number.NaN)).sort((a, b) => a - b);
  const ratio = ratios[Math.floor(ratios.length / 2)] ?? Number.NaN;
  console.log(`  ratio (median of rounds) ${ratio.toFixed(3)} (goal ≥ 0.5)`);
  console.log(
    JSON.stringify({
      bench: "oauth",
      route: "GET /login/discord",
      requests: REQUESTS,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      rps: round2(loginRps),
      p50_ms: round2(mean(oauthRuns, "p50_ms")),
      p99_ms: round2(mean(oauthRuns, "p99_ms")),
      failed: failed(oauthRuns),
      server_busy_us: Math.round(mean(oauthRuns, "server_busy_us")),
      ratio: Math.round(ratio * 1000) / 1000,
      round_ratios: ratios.map((r) => Math.round(r * 1000) / 1000),
      goal_ratio: 0.5,
      baseline: {
        route: "GET /bare (hono)",
        rps: round2(bareRps),
        p50_ms: round2(mean(bareRuns, "p50_ms")),
        p99_ms: round2(mean(bareRuns, "p99_ms")),
        failed: failed(bareRuns),
        server_busy_us: Math.round(mean(bareRuns, "server_busy_us")),
      },
    }),
  );
}

await main();
