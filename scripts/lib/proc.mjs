// Child processes for scripts: run one with its output captured, run a list with bounded concurrency.
import { spawn } from "node:child_process";

/**
 * Runs `cmd args` and resolves (never rejects) with its exit code and combined output. A process
 * still running after `timeoutMs` is killed (its whole process group) and reported as timed out.
 */
export function run(cmd, args, { cwd, env = process.env, timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.stderr.on("data", (chunk) => chunks.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    const done = (code, error) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString("utf8") + (error ? `\n${error.message}` : "");
      resolve({ code: timedOut ? null : code, output, timedOut, ms: Date.now() - started });
    };
    child.on("error", (error) => done(1, error));
    child.on("close", (code) => done(code ?? 1));
  });
}

/** Maps `items` through the async `fn`, at most `limit` at a time, keeping the order. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The last `lines` lines of `text`, for a failure report. */
export function tail(text, lines = 40) {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}
