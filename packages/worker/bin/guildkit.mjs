#!/usr/bin/env node
// The `guildkit` bin inside the repository: runs src/cli.ts from sources through tsx. The tarball's
// bin is the compiled dist/cli.js (publishConfig.bin), which runs on plain node.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
