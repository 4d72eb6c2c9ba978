import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { freePort } from "@guildkit/store-testkit";

const root = resolve(import.meta.dirname, "../../..");
const skewPreload = resolve(import.meta.dirname, "skew-clock.mjs");

/** One reference app as a child process, restartable, with what it wrote. */
export interface ChaosApp {
  name: string;
  kind: "server" | "worker";
  baseUrl: string;
  /** Lines it wrote (stdout, stderr) across restarts, for the crash checks. */
  lines: string[];
  alive(): boolean;
  /** The running process's pid, or null. */
  pid(): number | null;
  /** Exits we did not cause (a crash): counted by the checks. */
  crashes: number;
  start(): void;
  kill(signal: NodeJS.Signals): Promise<void>;
  ready(): Promise<boolean>;
  get(path: string): Promise<{ status: number; body: string } | null>;
}

export interface AppTarget {
  databaseUrl: string;
  redisUrl: string;
  secretKey: string;
  discord: { apiBaseUrl: string; cdnBaseUrl: string; authorizeUrl: string; pluralkitBaseUrl: string };
  /** The shared Discord budget of the workers (requests per second, all workers together). */
  discordRps: number;
  /** More environment for the workers (a profile's retry settings, e.g. `ROLE_SYNC_RETRY_BASE_MS`). */
  workerEnv?: Record<string, string>;
}

function baseEnv(target: AppTarget): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    DATABASE_URL: target.databaseUrl,
    REDIS_URL: target.redisUrl,
    GUILDKIT_SECRET_KEY: target.secretKey,
    DISCORD_API_BASE_URL: target.discord.apiBaseUrl,
    DISCORD_CDN_BASE_URL: target.discord.cdnBaseUrl,
    DISCORD_AUTHORIZE_URL: target.discord.authorizeUrl,
    PLURALKIT_BASE_URL: target.discord.pluralkitBaseUrl,
    DISCORD_RPS: String(target.discordRps),
  };
}

function createApp(
  name: string,
  kind: ChaosApp["kind"],
  script: string,
  /** Read at each start (the target is completed after the ports are chosen). */
  env: () => NodeJS.ProcessEnv,
  baseUrl: string,
  preload: string[] = [],
): ChaosApp {
  let child: ChildProcess | null = null;
  let expectedExit = false;
  const lines: string[] = [];
  const app: ChaosApp = {
    name,
    kind,
    baseUrl,
    lines,
    crashes: 0,
    alive: () => child !== null && child.exitCode === null && child.signalCode === null,
    pid: () => (app.alive() ? (child?.pid ?? null) : null),
    start() {
      expectedExit = false;
      const proc = spawn(
        process.execPath,
        [...preload.flatMap((p) => ["--import", p]), "--import", "tsx", script],
        {
          cwd: root,
          env: env(),
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const collect = (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(`[${name}] ${line}`);
        if (lines.length > 20_000) lines.splice(0, lines.length - 10_000);
      };
      proc.stdout?.on("data", collect);
      proc.stderr?.on("data", collect);
      proc.once("exit", (code, signal) => {
        if (!expectedExit) {
          app.crashes += 1;
          lines.push(`[${name}] exited unexpectedly (${signal ?? code})`);
        }
      });
      child = proc;
    },
    async kill(signal) {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      expectedExit = true;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    },
    async get(path) {
      try {
        const res = await fetch(new URL(path, baseUrl), {
          signal: AbortSignal.timeout(3_000),
          redirect: "manual",
        });
        return { status: res.status, body: await res.text() };
      } catch {
        return null;
      }
    },
    async ready() {
      return (await app.get("/readyz"))?.status === 200;
    },
  };
  return app;
}

export async function createServerApp(
  target: AppTarget,
  index: number,
  adminToken: string,
  stateKey: string,
) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  return createApp(
    `server-${index}`,
    "server",
    "apps/server/src/main.ts",
    () => ({
      ...baseEnv(target),
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: baseUrl,
      STATE_SIGNING_KEY: stateKey,
      ADMIN_TOKEN: adminToken,
    }),
    baseUrl,
  );
}

export async function createWorkerApp(
  target: AppTarget,
  index: number,
  options: { clockSkewMs?: number } = {},
) {
  const port = await freePort();
  const env = () => ({
    ...baseEnv(target),
    ...target.workerEnv,
    METRICS_PORT: String(port),
    CHAOS_CLOCK_SKEW_MS: String(options.clockSkewMs ?? 0),
  });
  return createApp(
    `worker-${index}`,
    "worker",
    "apps/worker/src/main.ts",
    env,
    `http://127.0.0.1:${port}`,
    options.clockSkewMs ? [skewPreload] : [],
  );
}

export const newSecret = () => randomBytes(32).toString("base64url");
