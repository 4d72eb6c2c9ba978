import type { CommandOutput } from "../reconcile-command";

/** Where a command reads and writes; `main` passes the process's, tests their own. */
export interface CliIo {
  out: CommandOutput;
  err: CommandOutput;
  /** The environment the settings are read from (`process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Standard input as text, read to its end (secrets of `config set`). */
  readStdin(): Promise<string>;
  /** Aborts on SIGTERM/SIGINT. */
  signal?: AbortSignal;
}

/** The exit codes of every `guildkit` command. */
export const EXIT = {
  /** Done; every check passed. */
  ok: 0,
  /**
   * The command ran and found a problem (a failed check, permanent errors, a secret no key opens),
   * or the environment's settings are wrong (`GUILDKIT_SECRET_KEY` missing…).
   */
  failed: 1,
  /** Usage: an unknown command or option, a bad argument, incomplete or invalid stored settings. */
  usage: 2,
  /** The database could not be reached. */
  unavailable: 3,
} as const;

/** The process's own streams and environment. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    out: { write: (t) => process.stdout.write(t), isTTY: process.stdout.isTTY === true },
    err: { write: (t) => process.stderr.write(t) },
    env: process.env,
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks).toString("utf8");
    },
    ...(signal ? { signal } : {}),
  };
}
