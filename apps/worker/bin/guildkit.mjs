#!/usr/bin/env node
// The `guildkit` command: runs src/cli.ts from sources through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exit(await main(process.argv.slice(2)));
