// The reference app's `guildkit` command: the package's CLI, relay included.
import { runCli } from "@guildkit/worker";

process.exit(await runCli(process.argv.slice(2)));
