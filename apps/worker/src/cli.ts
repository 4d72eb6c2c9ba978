// The reference app's `guildkit` command: the package's CLI plus `relay` (the relay still lives here).
import { runCli } from "@guildkit/worker";
import { registerRelay } from "./commands/relay";

process.exit(await runCli(process.argv.slice(2), { commands: [registerRelay] }));
