import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The repository root (this file's folder), so the config works from any cwd (`pnpm --filter X test`, turbo). */
const repoRoot = fileURLToPath(new URL(".", import.meta.url));

/** Every workspace package's folder. */
const folders = ["packages", "apps", "tools", "examples"].flatMap((group) =>
  readdirSync(join(repoRoot, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(repoRoot, group, d.name, "package.json")))
    .map((d) => ({ dir: join(repoRoot, group, d.name) })),
);

/** A package's `name` (packages/worker is `@guildkit/worker`, apps/worker `@guildkit/worker-app`). */
const nameOf = (folder: string): string =>
  JSON.parse(readFileSync(join(folder, "package.json"), "utf8")).name;

/** One vitest project per package, named after it, run against sources (no build needed). */
export default defineConfig({
  test: {
    // vitest's default is one worker per core less one: a single worker on a 2-core CI machine, where
    // most test time waits on PostgreSQL, Redis, child processes and discord-sim's rate limits. Two
    // files at a time there took the suite from 13.6 to 5.2 minutes; every test owns its schema,
    // Redis keys, ports and scratch clusters, so files never share state.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      ...folders.map(({ dir }) => ({
        extends: true,
        test: {
          name: nameOf(dir),
          root: dir,
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        },
      })),
      // The repository's own scripts (the packaging rules of `pnpm check:packages`).
      {
        extends: true,
        test: { name: "scripts", root: join(repoRoot, "scripts"), include: ["test/**/*.test.mjs"] },
      },
    ],
  },
});
