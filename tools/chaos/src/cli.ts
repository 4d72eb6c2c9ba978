/**
 * `pnpm chaos [-- --minutes 10 --seed 1 --workers 4 --servers 2 --members 20000 --events 10000]`:
 * servers and workers on a PostgreSQL cluster and a Redis of the run's own, against discord-sim,
 * under faults; prints progress, a short table, and one final JSON line. Exits 1 when a check fails.
 */
import { parseArgs } from "node:util";
import { runChaos } from "./run";

// `pnpm chaos -- --minutes 2` hands the `--` on: drop it.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    minutes: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    workers: { type: "string", default: "4" },
    servers: { type: "string", default: "2" },
    members: { type: "string", default: "20000" },
    events: { type: "string", default: "10000" },
    webhooks: { type: "string", default: "20" },
    "changes-per-second": { type: "string", default: "1" },
    "discord-rps": { type: "string", default: "3" },
  },
});
const number = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, got ${values[name]}`);
    process.exit(2);
  }
  return n;
};
const started = Date.now();
const report = await runChaos({
  minutes: number("minutes"),
  seed: number("seed"),
  workers: number("workers"),
  servers: number("servers"),
  members: number("members"),
  events: number("events"),
  webhooks: number("webhooks"),
  changesPerSecond: number("changes-per-second"),
  discordRps: number("discord-rps"),
  appLog: "chaos-apps.log",
  log: (line) => console.log(`[chaos ${Math.round((Date.now() - started) / 1000)} s] ${line}`),
});
console.log(
  [
    `lost ${report.lost}, duplicates ${report.duplicates}, dead ${report.dead}, wrong roles ${report.wrong_roles}`,
    `max rps in any second ${report.max_rps_any_second} (budget ${report.budget_rps}), into an exhausted bucket ${report.into_exhausted_bucket}`,
    `recovered (s): ${Object.entries(report.recover_s)
      .map(([k, v]) => `${k} ${v ?? "never"}`)
      .join(", ")}; crashes ${report.crashes}; settled after ${report.settled_s ?? "never"} s`,
  ].join("\n"),
);
console.log(JSON.stringify(report));
process.exit(report.passed ? 0 : 1);
