import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

const folders = ["packages", "apps", "tools"].flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(group, d.name, "package.json")))
    .map((d) => join(group, d.name)),
);

/** One vitest project per package, run against sources (no build needed). */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: folders.map((folder) => ({
      extends: true,
      test: {
        name: `@guildkit/${folder.split("/")[1]}`,
        root: folder,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      },
    })),
  },
});
