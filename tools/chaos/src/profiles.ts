import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

/**
 * `--profile ci`: the run `pnpm test` makes (scripts/test.mjs), about 3 minutes on 2 loaded cores —
 * every fault kind injected in a 2-minute phase (the Redis stop and the Discord outage last 18 s,
 * 15 % of it) and a small world; like every run, retry waits of seconds ({@link SHORT_RETRIES}) so
 * what failed during the faults converges within the settle limit. Options given on the command line win.
 */
export const CI_PROFILE = {
  options: {
    minutes: "2",
    members: "500",
    events: "400",
    webhooks: "5",
    workers: "2",
    servers: "1",
    "discord-rps": "3",
    // A worker killed while holding members keeps them leased for role sync's 60 s lease: the last
    // kill can come seconds before the phase ends, and the run stops waiting as soon as it settles.
    "settle-seconds": "110",
  },
} as const;

/**
 * Retry waits of seconds, for every run (a profile adds to them): role sync 2 s, 4 s, 8 s … after a
 * transient failure (the default starts at 5 min); webhooks 1 s, 2 s, 5 s, 10 s, 15 s, 20 s, 30 s
 * (the default: 5 s, 5 min, 30 min, …) — seven waits, eight attempts, as the default: dead only after
 * 83 s of failures, longer than any fault. With the production defaults, a webhook whose head met
 * two injected 5xx waits 5 minutes and its later events wait behind it (order is kept): the
 * 10-minute run then ends with thousands of events still pending, correctly, but unverifiable.
 */
export const SHORT_RETRIES: Readonly<Record<string, string>> = {
  ROLE_SYNC_RETRY_BASE_MS: "2000",
  WEBHOOK_RETRY_SCHEDULE_MS: "1000,2000,5000,10000,15000,20000,30000",
};

const onPath = (command: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

/**
 * Why a run cannot start here, or null: Debian's `postgresql-common` cluster tools and
 * `redis-server` on PATH, and the rights `pg_createcluster` needs (root, as in CI — the cluster is
 * owned by the `postgres` user — or write access to /etc/postgresql).
 */
export function cannotRun(): string | null {
  const missing = ["pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "redis-server"].filter(
    (c) => !onPath(c),
  );
  if (missing.length > 0) {
    return `${missing.join(", ")} not on PATH (install postgresql and redis-server; .ci/run does)`;
  }
  if (process.getuid?.() !== 0) {
    try {
      accessSync("/etc/postgresql", constants.W_OK);
    } catch {
      return "pg_createcluster needs root (or write access to /etc/postgresql and /var/lib/postgresql)";
    }
  }
  return null;
}
