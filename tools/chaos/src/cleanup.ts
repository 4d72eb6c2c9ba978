import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** What a run leaves behind if it dies: a PostgreSQL cluster and processes. */
export interface Leftovers {
  cluster: { version: string; name: string } | null;
  /** Pids of redis-server and of the apps' processes, as they are now. */
  pids: number[];
}

/**
 * The teardown of a run, whatever ends it. `add` registers a step (run last-added first, once each);
 * `run` runs them (the normal end, or SIGINT/SIGTERM/SIGHUP through the CLI's handler). For a harness
 * killed with SIGKILL, a detached watchdog (`watchdog.mjs`) polls the harness's pid and, once it is
 * gone, kills the recorded pids and drops the recorded cluster (`pg_dropcluster --stop`).
 */
export interface RunCleanup {
  add(step: () => Promise<void>): void;
  /** Records what the watchdog must remove if the harness dies without running the steps. */
  record(update: (leftovers: Leftovers) => void): void;
  run(): Promise<void>;
}

const watchdogScript = resolve(import.meta.dirname, "watchdog.mjs");

export function createRunCleanup(): RunCleanup {
  const steps: (() => Promise<void>)[] = [];
  const leftovers: Leftovers = { cluster: null, pids: [] };
  const stateFile = join(tmpdir(), `guildkit-chaos-${process.pid}.json`);
  writeFileSync(stateFile, JSON.stringify(leftovers));
  const watchdog = spawn(process.execPath, [watchdogScript, String(process.pid), stateFile], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.unref();
  let running: Promise<void> | null = null;
  return {
    add: (step) => {
      steps.push(step);
    },
    record(update) {
      update(leftovers);
      writeFileSync(stateFile, JSON.stringify(leftovers));
    },
    run() {
      running ??= (async () => {
        for (const step of steps.splice(0).reverse()) await step().catch(() => {});
        rmSync(stateFile, { force: true });
        if (watchdog.exitCode === null) watchdog.kill();
      })();
      return running;
    },
  };
}
