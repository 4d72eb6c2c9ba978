/**
 * `pnpm bench:preview` — does a large webhook preview block the server? The reference server (temp
 * SQLite) serves on this thread; a worker thread probes `GET /healthz` one request at a time, first
 * idle (the baseline), then while `--previews` clients keep sending just-under-limit previews (a
 * 256 KiB sample value) in a loop; last it sends one 5 MB preview (answered 413 by the body limit).
 * In-process, the core's `previewWebhook` over a 5 MB value, against what the message cut used to
 * cost (2,000 graphemes segmented out of the whole just-under-limit value). Final line: JSON.
 */
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { parseProcessSettings } from "@guildkit/config";
import { type AppStore, createLogger, createMetrics } from "@guildkit/runtime";
import { createServerApp } from "@guildkit/server";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore } from "@guildkit/store-testkit";
import { previewWebhook } from "@guildkit/webhook-templates";
import { serve } from "@hono/node-server";
import { sql } from "kysely";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    probes: { type: "string", default: "300" },
    previews: { type: "string", default: "4" },
  },
});
const PROBES = Number(values.probes);
const PREVIEWS = Number(values.previews);
const TOKEN = "bench-admin-token-0123456789";
const LIMIT = 256 * 1024;
const definition = {
  url: "https://discord.com/api/webhooks/1250000000000000001/tok",
  template: "{item} x{qty}",
  table: "orders",
  operation: "INSERT",
  when: "NEW.qty > 0",
};

// The clients: /healthz probes (idle, then under preview load), then one 5 MB preview.
const CLIENTS = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { origin, token, underLimit, probes, previews } = workerData;
  const headers = { authorization: "Bearer " + token, "content-type": "application/json" };
  const stats = (ms) => {
    const s = ms.slice().sort((a, b) => a - b);
    const at = (q) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 100) / 100;
    return { n: s.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: Math.round(s[s.length - 1] * 100) / 100 };
  };
  const probe = async () => {
    const ms = [];
    for (let i = 0; i < probes; i++) {
      const t0 = performance.now();
      const res = await fetch(origin + "/healthz");
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error("healthz " + res.status);
      ms.push(performance.now() - t0);
    }
    return stats(ms);
  };
  const idle = await probe();
  let stop = false, failed = 0;
  const previewMs = [];
  const lane = async () => {
    while (!stop) {
      const t0 = performance.now();
      const res = await fetch(origin + "/admin/api/webhooks/preview", { method: "POST", headers, body: underLimit });
      await res.arrayBuffer();
      if (res.status !== 200) failed++;
      previewMs.push(performance.now() - t0);
    }
  };
  const lanes = Array.from({ length: previews }, lane);
  const loaded = await probe();
  stop = true;
  await Promise.all(lanes);
  const huge = JSON.stringify({ definition: JSON.parse(underLimit).definition, sample: { item: "x".repeat(5 * 1024 * 1024), qty: 1 } });
  // node:http, not fetch: declare 5 MB, send the first 64 KiB, and time the answer (the server
  // answers 413 from the Content-Length alone and closes; the rest is never sent).
  const t0 = performance.now();
  const status = await new Promise((resolve) => {
    const req = require("node:http").request(origin + "/admin/api/webhooks/preview", {
      method: "POST",
      headers: { ...headers, "content-length": Buffer.byteLength(huge) },
    });
    req.on("response", (res) => { resolve(res.statusCode); res.resume(); req.destroy(); });
    req.on("error", () => resolve(-1));
    req.write(huge.slice(0, 64 * 1024));
  });
  parentPort.postMessage({ idle, loaded, previews: { ...stats(previewMs), failed }, huge: { status, ms: Math.round((performance.now() - t0) * 100) / 100 } });
})().catch((error) => { throw error; });
`;

function underLimitBody(): string {
  const wrap = (item: string) => JSON.stringify({ definition, sample: { item, qty: 1 } });
  return wrap("x".repeat(LIMIT - wrap("").length - 16));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function bestOf(runs: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return round2(best);
}

async function main(): Promise<void> {
  const handle = await createSqliteTestStore(sqlite);
  const store = handle.store as AppStore;
  await sql`create table orders (id integer primary key autoincrement, item text, qty integer)`.execute(
    store.kysely,
  );
  const settings = parseProcessSettings({
    DATABASE_URL: ":memory:",
    PUBLIC_BASE_URL: "http://127.0.0.1:3000",
    STATE_SIGNING_KEY: "bench-state-signing-key-0123456789abcdef",
    ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: "silent",
    NODE_ENV: "production",
  });
  const app = createServerApp({
    settings,
    store,
    logger: createLogger({ name: "bench", level: "silent" }),
    metrics: createMetrics("bench"),
    ping: () => store.ping(),
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as { port: number };
  const underLimit = underLimitBody();
  console.log(
    `bench:preview — ${PROBES} /healthz probes idle, then with ${PREVIEWS} clients sending ${underLimit.length}-byte previews`,
  );

  const http = await new Promise<{
    idle: { p50_ms: number; p99_ms: number; max_ms: number };
    loaded: { p50_ms: number; p99_ms: number; max_ms: number };
    previews: { n: number; p50_ms: number; failed: number };
    huge: { status: number; ms: number };
  }>((resolve, reject) => {
    const worker = new Worker(CLIENTS, {
      eval: true,
      workerData: {
        origin: `http://127.0.0.1:${port}`,
        token: TOKEN,
        underLimit,
        probes: PROBES,
        previews: PREVIEWS,
      },
    });
    worker.once("message", (m) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once("error", reject);
  });
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as unknown as { closeAllConnections(): void }).closeAllConnections();
  });
  await handle.teardown();

  // In-process: the core over a 5 MB value, and what the old message cut walked for a 256 KiB one.
  const ctx = { columns: ["id", "item", "qty"], tableName: "orders", tables: [] };
  const huge = "x".repeat(5 * 1024 * 1024);
  const core5mb = bestOf(5, () => previewWebhook(definition, ctx, { row: { item: huge, qty: 1 } }));
  const value = "x".repeat(LIMIT);
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  // The old cut walked 2,000 graphemes of the whole text (and ICU's per-step cost grows with it).
  const unbounded = bestOf(3, () => {
    let n = 0;
    for (const _ of segmenter.segment(value)) if (++n >= 2000) break;
  });

  console.log(
    `  /healthz idle        p50 ${http.idle.p50_ms} ms, p99 ${http.idle.p99_ms} ms, max ${http.idle.max_ms} ms`,
  );
  console.log(
    `  /healthz under load  p50 ${http.loaded.p50_ms} ms, p99 ${http.loaded.p99_ms} ms, max ${http.loaded.max_ms} ms`,
  );
  console.log(
    `  previews             ${http.previews.n} answered, p50 ${http.previews.p50_ms} ms, ${http.previews.failed} not 200`,
  );
  console.log(`  5 MB preview         status ${http.huge.status} in ${http.huge.ms} ms`);
  console.log(
    `  core, 5 MB value     ${core5mb} ms (the old cut, 2,000 graphemes of a 256 KiB value: ${unbounded} ms)`,
  );
  console.log(
    JSON.stringify({
      bench: "preview",
      body_bytes: underLimit.length,
      concurrent_previews: PREVIEWS,
      healthz_loaded: http.loaded,
      previews: http.previews,
      huge_preview: http.huge,
      core_preview_5mb_ms: core5mb,
      baseline: { healthz_idle: http.idle, old_cut_256kib_ms: unbounded },
    }),
  );
}

await main();
