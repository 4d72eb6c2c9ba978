import { execFile } from "node:child_process";
import type { CliIo } from "../src/commands/io";
import type { CliCommand } from "../src/commands/program";
import { runCli as run } from "../src/run-cli";

/** Runs `guildkit <argv>` in this process with its own environment, output and standard input. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  opts: { stdin?: string; commands?: readonly CliCommand[] } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    out: {
      write: (t) => {
        stdout += t;
      },
      isTTY: false,
    },
    err: {
      write: (t) => {
        stderr += t;
      },
    },
    env: { LOG_LEVEL: "silent", ...env },
    readStdin: async () => opts.stdin ?? "",
  };
  const code = await run(argv, { io, commands: opts.commands });
  return { code, stdout, stderr };
}

/** Runs a `guildkit` entry file (`src/cli.ts`) through tsx as a child process; resolves its exit code. */
export function cliExitCode(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  return new Promise<number>((resolve) =>
    execFile(
      process.execPath,
      ["--import", "tsx", file, ...args],
      { env: { ...process.env, ...env } },
      (error) => resolve(error ? Number(error.code ?? 1) : 0),
    ),
  );
}
