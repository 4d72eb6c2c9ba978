// Started detached by a chaos run (cleanup.ts): `node watchdog.mjs <harness pid> <state file>`.
// Once the harness is gone without having removed the state file (SIGKILL, a crash), it kills the
// processes and drops the PostgreSQL cluster the file names, then removes the file. It exits as soon
// as the state file is gone (the harness cleaned up itself).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

const [harnessPid, stateFile] = process.argv.slice(2).map((a, i) => (i === 0 ? Number(a) : a));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const timer = setInterval(() => {
  if (!existsSync(stateFile)) process.exit(0);
  if (alive(harnessPid)) return;
  clearInterval(timer);
  let state = { cluster: null, pids: [] };
  try {
    state = JSON.parse(readFileSync(stateFile, "utf8"));
  } catch {}
  for (const pid of state.pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  if (state.cluster) {
    try {
      execFileSync("pg_dropcluster", ["--stop", state.cluster.version, state.cluster.name], {
        stdio: "ignore",
      });
    } catch {}
  }
  rmSync(stateFile, { force: true });
  process.exit(0);
}, 1000);
