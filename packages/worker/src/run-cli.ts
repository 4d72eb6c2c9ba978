import { CommanderError } from "commander";
import { CliError } from "./commands/errors";
import { type CliIo, EXIT, processIo } from "./commands/io";
import { type CliCommand, createProgram } from "./commands/program";
import { shutdownSignal } from "./shutdown";
import { isDatabaseUnavailable } from "./store";

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Where the command reads and writes (default: the process's streams, environment and signals). */
  io?: CliIo;
  /** Commands of the host's own, added after the built-in ones. */
  commands?: readonly CliCommand[];
}

/**
 * The `guildkit` command line (commander): `migrate`, `doctor`, `reconcile --all [--dry-run]`,
 * `reconcile member <id>`, `status`, `config get|set`, `webhooks list|redeliver`, `secrets rotate`,
 * and the host's `commands`. Resolves the exit code (see {@link EXIT}); never throws: errors are
 * printed as one `guildkit: …` line.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const cli = options.io ?? processIo(shutdownSignal());
  let code: number = EXIT.ok;
  const program = createProgram({
    io: cli,
    argv,
    done: (c) => {
      code = c;
    },
    commands: options.commands,
  });
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end parsing with exit code 0; every other parse error is usage
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    cli.err.write(`guildkit: ${message}\n`);
    if (error instanceof CliError) return error.exitCode;
    if (isDatabaseUnavailable(error)) return EXIT.unavailable;
    return EXIT.failed;
  }
}
