import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

/** The workspace root: guildkit's packages are linked from there. */
const workspaceRoot = fileURLToPath(new URL("../..", import.meta.url));

const config: NextConfig = {
  // In this workspace guildkit's packages are TypeScript sources; installed from npm they are built
  // JavaScript and need neither line.
  transpilePackages: ["@guildkit/example-shared"],
  turbopack: { root: workspaceRoot },
  outputFileTracingRoot: workspaceRoot,
};

export default config;
