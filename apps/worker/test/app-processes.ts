import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { freePort, TEST_SECRET_KEY } from "@guildkit/store-testkit";

const root = resolve(import.meta.dirname, "../../..");

/** Polls `check` every 25 ms until it holds; throws after `timeoutMs`, naming `what`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

/** One of the reference apps running as a child process (`node --import tsx apps/<app>/src/main.ts`). */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** Where its `/healthz` and `/readyz` are served. */
  baseUrl: string;
  /** Every line it wrote (stdout and stderr), for assertions and failure messages. */
  lines: string[];
  /** Whether it is still running. */
  alive(): boolean;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | NodeJS.Signals>;
  /** GET a path; `null` when nothing answered (connection refused, …). */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown } | null>;
  /** The last `n` lines it wrote, for failure messages. */
  tail(n?: number): string;
}

function startApp(name: string, script: string, env: NodeJS.ProcessEnv, baseUrl: string): AppProcess {
  // `node --import tsx`, not the `tsx` binary: its signal relay gives the child 30 ms to report a
  // SIGTERM and kills it otherwise (exit 143 on a busy machine), which would hide a clean shutdown.
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | NodeJS.Signals>((done) =>
    child.once("exit", (code, signal) => done(signal ?? code ?? -1)),
  );
  return {
    name,
    child,
    baseUrl,
    lines,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    async get(path, headers = {}) {
      try {
        const res = await fetch(new URL(path, baseUrl), {
          headers,
          signal: AbortSignal.timeout(4_000),
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        return { status: res.status, body };
      } catch {
        return null;
      }
    },
    tail: (n = 40) => `--- last lines of ${name} ---\n${lines.slice(-n).join("\n")}`,
  };
}

/** Where the apps find the database and Discord (a discord-sim). */
export interface AppEnvironment {
  databaseUrl: string;
  discord: { apiBaseUrl: string; cdnBaseUrl: string; authorizeUrl: string; pluralkitBaseUrl: string };
}

function baseEnv(target: AppEnvironment): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    DATABASE_URL: target.databaseUrl,
    GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
    DISCORD_API_BASE_URL: target.discord.apiBaseUrl,
    DISCORD_CDN_BASE_URL: target.discord.cdnBaseUrl,
    DISCORD_AUTHORIZE_URL: target.discord.authorizeUrl,
    PLURALKIT_BASE_URL: target.discord.pluralkitBaseUrl,
  };
}

/** Starts `apps/server` on a free port; `adminToken` is its `ADMIN_TOKEN`. */
export async function startServer(target: AppEnvironment): Promise<AppProcess & { adminToken: string }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminToken = randomBytes(32).toString("base64url");
  const app = startApp(
    "server",
    "apps/server/src/main.ts",
    {
      ...baseEnv(target),
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: baseUrl,
      STATE_SIGNING_KEY: randomBytes(32).toString("base64url"),
      ADMIN_TOKEN: adminToken,
    },
    baseUrl,
  );
  return Object.assign(app, { adminToken });
}

/** Starts `apps/worker` with its metrics server (`/metrics`, `/healthz`, `/readyz`) on a free port. */
export async function startWorker(target: AppEnvironment): Promise<AppProcess> {
  const port = await freePort();
  return startApp(
    "worker",
    "apps/worker/src/main.ts",
    { ...baseEnv(target), METRICS_PORT: String(port) },
    `http://127.0.0.1:${port}`,
  );
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. */
export async function stopApp(app: AppProcess, graceMs = 10_000): Promise<number | NodeJS.Signals> {
  if (!app.alive()) return app.exited;
  app.child.kill("SIGTERM");
  const timer = setTimeout(() => app.child.kill("SIGKILL"), graceMs);
  try {
    return await app.exited;
  } finally {
    clearTimeout(timer);
  }
}
