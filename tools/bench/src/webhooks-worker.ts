/**
 * The webhook worker as a child process for the crash-loop bench: opens the store named by
 * BENCH_DB (`sqlite:<file>` or `postgres:<schema>@<url>`), delivers to BENCH_API until killed.
 */

import { createPostgresStore } from "@guildkit/store-postgres";
import { createSqliteStore } from "@guildkit/store-sqlite";
import { createWebhookWorker } from "@guildkit/worker";

const db = process.env.BENCH_DB ?? "";
const store = db.startsWith("sqlite:")
  ? createSqliteStore({ filename: db.slice("sqlite:".length) })
  : createPostgresStore({
      connectionString: db.slice(db.indexOf("@") + 1),
      schema: db.slice("postgres:".length, db.indexOf("@")),
      max: 4,
    });
const worker = createWebhookWorker({
  store,
  discordApiBaseUrl: process.env.BENCH_API ?? "",
  owner: `bench-${process.pid}`,
  rps: 2000,
  timeoutMs: 5_000,
  // The crash loop's simulator lifts its channel limit, so the worker's channel budget is off too.
  delivery: {
    leaseMs: 3_000,
    idleWaitMs: 200,
    concurrency: 64,
    perWebhook: 20,
    batchSize: 400,
    channelBudget: null,
  },
});
process.send?.("ready");
await worker.delivery.run({ signal: new AbortController().signal });
