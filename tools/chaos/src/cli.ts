/**
 * `pnpm chaos [-- --minutes 10 --seed 1 --workers 4 --servers 2 --members 20000 --events 10000]`:
 * servers and workers on a PostgreSQL cluster and a Redis of the run's own, against discord-sim,
 * under faults; prints progress, a short table, and one final JSON line. Exits 1 when a check fails.
 * `--profile ci` is the short run of `pnpm test` (see profiles.ts). SIGINT, SIGTERM and SIGHUP stop
 * the run and remove its cluster, Redis and apps (exit 130); a watchdog does it after a SIGKILL.
 */
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createRunCleanup } from "./cleanup";
import type { FaultKind } from "./faults";
import { CI_PROFILE, cannotRun, SHORT_RETRIES } from "./profiles";
import { runChaos } from "./run";

// `pnpm chaos -- --minutes 2` hands the `--` on: drop it.
const argv = process.argv.slice(2);
const { values: given } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    profile: { type: "string" },
    minutes: { type: "string" },
    seed: { type: "string" },
    workers: { type: "string" },
    servers: { type: "string" },
    members: { type: "string" },
    events: { type: "string" },
    webhooks: { type: "string" },
    "changes-per-second": { type: "string" },
    "discord-rps": { type: "string" },
    /** How long the end state may take to settle (default: the phase, at least 120 s). */
    "settle-seconds": { type: "string" },
    /** Comma-separated fault kinds (default all: worker_kill,postgres_restart,redis_stop,discord_outage). */
    faults: { type: "string" },
  },
});
if (given.profile !== undefined && given.profile !== "ci") {
  console.error(`--profile must be ci, got ${given.profile}`);
  process.exit(2);
}
const profile = given.profile === "ci" ? CI_PROFILE : null;
const defaults: Record<string, string> = {
  minutes: "10",
  seed: "1",
  workers: "4",
  servers: "2",
  members: "20000",
  events: "10000",
  webhooks: "20",
  "changes-per-second": "1",
  // A whole request per second per worker while Redis is stopped (4 workers).
  "discord-rps": "4",
};
const values: Record<string, string | undefined> = { ...defaults, ...profile?.options };
for (const [k, v] of Object.entries(given)) if (v !== undefined) values[k] = v;
const number = (name: string) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, got ${values[name]}`);
    process.exit(2);
  }
  return n;
};
const unrunnable = cannotRun();
if (unrunnable) {
  console.error(`pnpm chaos cannot run here: ${unrunnable}`);
  process.exit(3);
}

const started = Date.now();
// The simulator runs in this process and timestamps each request's arrival when its event loop gets
// to it: a stalled loop bunches arrivals. Its delay is reported beside the budget figures.
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
const log = (line: string) => console.log(`[chaos ${Math.round((Date.now() - started) / 1000)} s] ${line}`);
const cleanup = createRunCleanup();
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`${signal}: removing the run's apps, PostgreSQL cluster and Redis`);
    void cleanup.run().finally(() => process.exit(130));
  });
}
const result = await runChaos({
  minutes: number("minutes"),
  seed: number("seed"),
  workers: number("workers"),
  servers: number("servers"),
  members: number("members"),
  events: number("events"),
  webhooks: number("webhooks"),
  changesPerSecond: number("changes-per-second"),
  discordRps: number("discord-rps"),
  ...(values["settle-seconds"] ? { settleMs: number("settle-seconds") * 1000 } : {}),
  ...(values.faults ? { faults: values.faults.split(",") as FaultKind[] } : {}),
  workerEnv: { ...SHORT_RETRIES },
  appLog: "chaos-apps.log",
  cleanup,
  log,
});
// The whole run, teardown included, and how loaded the machine was (a budget overrun on a starved
// CPU shows as late timers bunching requests: compare with the load).
const report = {
  ...result,
  profile: profile ? "ci" : null,
  run_s: Math.round((Date.now() - started) / 1000),
  load_avg: loadavg().map((l) => Math.round(l * 10) / 10),
  harness_loop_delay_ms: {
    p99: Math.round(loopDelay.percentile(99) / 1e6),
    max: Math.round(loopDelay.max / 1e6),
  },
};
console.log(
  [
    `lost ${report.lost}, pending ${report.pending}, duplicates ${report.duplicates}, dead ${report.dead}, wrong roles ${report.wrong_roles}`,
    `max rps in any second ${report.max_rps_any_second} (budget ${report.budget_rps}), into an exhausted bucket ${report.into_exhausted_bucket}`,
    `recovered (s): ${Object.entries(report.recover_s)
      .map(([k, v]) => `${k} ${v ?? "never"}`)
      .join(
        ", ",
      )}; crashes ${report.crashes}; settled after ${report.settled_s ?? "never"} s; run ${report.run_s} s`,
  ].join("\n"),
);
console.log(JSON.stringify(report));
process.exit(report.passed ? 0 : 1);
