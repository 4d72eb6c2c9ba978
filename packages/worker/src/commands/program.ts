import { Command } from "commander";
import { registerConfig } from "./config";
import { registerDoctor } from "./doctor";
import type { CliIo } from "./io";
import { registerLinkedRoles } from "./linked-roles";
import { registerMigrate } from "./migrate";
import { registerReconcile } from "./reconcile";
import { registerRelay } from "./relay";
import { registerSecrets } from "./secrets";
import { registerStatus } from "./status";
import { registerWebhooks } from "./webhooks";

const EXIT_HELP = `
Exit codes:
  0  done; every check passed
  1  the command found a problem (a failed check, permanent errors, a secret no key opens)
     or the environment is wrong (e.g. GUILDKIT_SECRET_KEY missing)
  2  usage: unknown command or option, bad argument, incomplete or invalid stored settings
  3  the database does not answer

Settings come from the environment: DATABASE_URL, GUILDKIT_SECRET_KEY, DISCORD_API_BASE_URL,
DISCORD_CDN_BASE_URL, PLURALKIT_BASE_URL, REDIS_URL, PUBLIC_BASE_URL (doctor). Run
"guildkit <command> --help" for a command's options.`;

/**
 * Adds a command of the host's own to the `guildkit` program (the reference app adds `relay`):
 * `done(code)` takes its exit code; `argv` is the command line as given.
 */
export type CliCommand = (
  program: Command,
  io: CliIo,
  argv: readonly string[],
  done: (code: number) => void,
) => void;

/** Options of {@link createProgram}. */
export interface ProgramOptions {
  io: CliIo;
  /** The arguments being parsed (without `node` and the script). */
  argv: readonly string[];
  /** Receives the exit code of the command that ran. */
  done: (code: number) => void;
  /** Commands added after the built-in ones. */
  commands?: readonly CliCommand[];
}

/**
 * The `guildkit` command line as a commander program: the built-in commands, then `commands`.
 * Parse errors and help surface as commander errors (`exitOverride`).
 */
export function createProgram({ io, argv, done, commands = [] }: ProgramOptions): Command {
  const program = new Command("guildkit")
    .description("guildkit: role sync, webhook delivery and setup checks for a Discord community")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (t) => io.out.write(t), writeErr: (t) => io.err.write(t) })
    .addHelpText("after", EXIT_HELP);
  registerMigrate(program, io, done);
  registerDoctor(program, io, done);
  registerReconcile(program, io, done);
  registerStatus(program, io, done);
  registerConfig(program, io, done);
  registerWebhooks(program, io, done);
  registerSecrets(program, io, done);
  registerLinkedRoles(program, io, done);
  registerRelay(program, io, argv);
  for (const register of commands) register(program, io, argv, done);
  // every subcommand shares the parent's output and error handling
  const share = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub
        .exitOverride()
        .configureOutput({ writeOut: (t) => io.out.write(t), writeErr: (t) => io.err.write(t) });
      share(sub);
    }
  };
  share(program);
  return program;
}
