#!/usr/bin/env node
// The `guildkit` bin (built to dist/cli.js; runs with plain node).
import { runCli } from "./run-cli";

process.exit(await runCli(process.argv.slice(2)));
