#!/usr/bin/env node
// `prepack` of every packable package (scripts.prepack = "node ../../scripts/pack-guard.mjs"):
// refuses to pack unless pnpm 10+ packs it with `publishConfig.exports` pointing at a built `dist/`.
//
// In the repository `exports` points at `src/*.ts` and internal dependencies are `workspace:^`.
// Only pnpm (`pnpm pack`, `pnpm publish`, and `changeset publish`, which calls `pnpm publish`)
// writes `publishConfig` over the manifest and turns `workspace:` ranges into versions in the
// tarball (and adds the workspace root's LICENSE to a package that has none); `npm pack`,
// `npm publish` and yarn would ship the repository manifest as it is. Each tool runs lifecycle
// scripts with `npm_execpath` set to its own CLI, and pnpm with `npm_config_user_agent=pnpm/<version> …`.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packProblems } from "./lib/packaging.mjs";

const dir = process.cwd();
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const problems = packProblems(manifest, process.env, (path) => existsSync(join(dir, path)));
if (problems.length) {
  console.error(`refusing to pack ${manifest.name}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
