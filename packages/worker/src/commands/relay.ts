import type { Command } from "commander";
import { CliUsageError } from "./errors";
import type { CliIo } from "./io";

/**
 * `guildkit relay`: the relay (`src/relay-cli.ts`) with the same options. It is a process of its own that reads the process's arguments and
 * exits when its input ends, so it only runs from the `guildkit` bin.
 */
export const registerRelay = (program: Command, _io: CliIo, argv: readonly string[]): void => {
  program
    .command("relay")
    .description("run the PluralKit speedbump relay over a JSON-lines stream of message events")
    .requiredOption("--sink <url>", "the webhook URL relayed messages are posted to")
    .option("--input <file>", "the events (JSON lines); - is standard input", "-")
    .option("--delay-ms <n>", "the speedbump delay (default 4000)")
    .option("--hold-all", "hold every user in speedbump channels")
    .action(async () => {
      const own = process.argv.slice(2);
      if (own.length !== argv.length || own.some((a, i) => a !== argv[i])) {
        throw new CliUsageError(
          "guildkit relay runs as a process of its own: start it from the guildkit bin",
        );
      }
      await import("../relay-cli");
    });
};
