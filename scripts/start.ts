/**
 * `pnpm start`: the reference server and worker on an embedded SQLite file, no other service needed.
 *
 * Creates `.data/` with the SQLite file, a state-signing key, an admin token and the key that seals
 * secret settings at rest (`GUILDKIT_SECRET_KEY`), all kept between runs, then runs `apps/server`
 * and `apps/worker` (which runs `@guildkit/worker`) side by side and prints the URL the server serves.
 * Every setting can be overridden through the environment (see README.md, "Configuration").
 * `pnpm start --sim` also starts `tools/discord-sim` and points every Discord URL at it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { mintSignInCode, SIGN_IN_LINK_SECONDS } from "../apps/server/src/admin/sign-in-link";
import {
  type DatabaseSettings,
  ProcessSettingsError,
  parseProcessSettings,
  redactProcessSettings,
} from "../packages/config/src/index";

const root = resolve(import.meta.dirname, "..");
const dataDir = join(root, ".data");
mkdirSync(dataDir, { recursive: true });

function persistedSecret(file: string): string {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const value = randomBytes(32).toString("base64url");
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

const port = process.env.PORT ?? "3000";
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? join(dataDir, "guildkit.sqlite"),
  PORT: port,
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
  STATE_SIGNING_KEY: process.env.STATE_SIGNING_KEY ?? persistedSecret("state-signing-key"),
  ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? persistedSecret("admin-token"),
  // Seals the stored bot token and client secret: without this file they cannot be read again
  // (enter them again). Back it up, apart from the database.
  GUILDKIT_SECRET_KEY: process.env.GUILDKIT_SECRET_KEY ?? persistedSecret("secret-key"),
};

const children: ChildProcess[] = [];
const tsx = join(root, "node_modules", ".bin", "tsx");
function run(name: string, script: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(tsx, [script], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      // JSON log lines stay quiet unless they are warnings or errors; plain lines are shown.
      if (line.startsWith("{")) {
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string };
          if ((entry.level ?? 30) >= 40) console.log(`[${name}] ${entry.msg ?? line}`);
          continue;
        } catch {}
      }
      console.log(`[${name}] ${line}`);
    }
  });
  child.on("exit", (code, signal) => {
    console.log(`[${name}] exited (${signal ?? code})`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 5000).unref();
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

const sim = process.argv.includes("--sim");
const simPort = process.env.DISCORD_SIM_PORT ?? "3001";
if (sim) {
  const simUrl = `http://127.0.0.1:${simPort}`;
  Object.assign(env, {
    DISCORD_API_BASE_URL: `${simUrl}/api/v10`,
    DISCORD_AUTHORIZE_URL: `${simUrl}/oauth2/authorize`,
    DISCORD_CDN_BASE_URL: `${simUrl}/cdn`,
    PLURALKIT_BASE_URL: `${simUrl}/pk/v2`,
  });
}

/** The database line: the SQLite file, or the Postgres URL with its password masked. */
function describeDatabase(): string {
  try {
    // The same parsing and redaction the apps use, so a Postgres password never reaches the terminal.
    const database = redactProcessSettings(parseProcessSettings(env)).database as DatabaseSettings;
    return database.kind === "sqlite"
      ? `SQLite database ${database.path}`
      : `PostgreSQL database ${database.url}`;
  } catch (error) {
    if (!(error instanceof ProcessSettingsError)) throw error;
    console.error(`guildkit: ${error.message}`);
    process.exit(1);
  }
}

console.log(`guildkit: ${describeDatabase()}`);
console.log(`guildkit: admin token in ${join(dataDir, "admin-token")}`);
const publicUrl = String(env.PUBLIC_BASE_URL).replace(/\/+$/, "");
console.log(`guildkit: admin console ${publicUrl}/admin`);
console.log(
  `guildkit: sign in once, within ${SIGN_IN_LINK_SECONDS / 60} minutes: ${publicUrl}/admin/login?once=${mintSignInCode(String(env.ADMIN_TOKEN), new Date())}`,
);
if (!process.env.GUILDKIT_SECRET_KEY) {
  console.log(`guildkit: secret settings sealed with the key in ${join(dataDir, "secret-key")}`);
}
if (sim) run("discord-sim", "tools/discord-sim/src/cli.ts", { PORT: simPort });
run("server", "apps/server/src/main.ts");
run("worker", "apps/worker/src/main.ts");
