import { isDatabaseUnavailable, shutdownSignal } from "@guildkit/runtime";
import { CommanderError } from "commander";
import { CliError } from "./commands/errors";
import { type CliIo, EXIT, processIo } from "./commands/io";
import { createProgram } from "./commands/program";

export { EXIT } from "./commands/io";

/**
 * The `guildkit` command line (commander): `migrate`, `doctor`, `reconcile --all [--dry-run]`,
 * `reconcile member <id>`, `status`, `config get|set`, `webhooks list|redeliver`, `secrets rotate`,
 * `relay`. Resolves the exit code (see {@link EXIT}); never throws: errors are printed as one
 * `guildkit: …` line.
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  const cli = io ?? processIo(shutdownSignal());
  let code: number = EXIT.ok;
  const program = createProgram(cli, argv, (c) => {
    code = c;
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

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli.ts")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
