import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ExampleConfig, RunningExample } from "@guildkit/example-shared";
import { describeDiscordLogin } from "@guildkit/example-shared/testing";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");

/**
 * `next dev` on port 0, configured through the environment as a deployment would be. Dev, not
 * `next build` + `next start`: on 2 cores the build alone takes 50–80 s, dev serves the whole login in
 * 15–25 s. `NEXT_EXAMPLE_SERVER=start` runs `next start` on an existing `next build` instead.
 */
async function startNext(config: ExampleConfig): Promise<RunningExample> {
  const mode = process.env.NEXT_EXAMPLE_SERVER === "start" ? "start" : "dev";
  const args = [nextBin, mode, "--port", "0", "--hostname", "127.0.0.1"];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: appDir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: mode === "start" ? "production" : "development",
      NEXT_TELEMETRY_DISABLED: "1",
      PUBLIC_URL: config.publicUrl,
      STATE_SECRET: config.stateSecret,
      DISCORD_CLIENT_ID: config.discord.clientId,
      DISCORD_CLIENT_SECRET: config.discord.clientSecret,
      DISCORD_API_BASE_URL: config.discord.apiBaseUrl,
      DISCORD_AUTHORIZE_URL: config.discord.authorizeUrl,
    },
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const local = /Local:\s+(http:\/\/\S+)/.exec(output);
      if (local?.[1] && /Ready in/.test(output)) resolve(local[1]);
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => reject(new Error(`next ${mode} exited (${code}):\n${output}`)));
  });
  return {
    url,
    async close() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // The dev server and the workers it started form one process group: end that group.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
      await exited;
    },
  };
}

// `next dev` compiles each route on its first request: 15–25 s for the whole login on 2 busy cores.
describeDiscordLogin("Next.js", startNext, { timeoutMs: 120_000 });
