import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const examplesDir = fileURLToPath(new URL("../..", import.meta.url));
/** What runs in production: everything but tests, build output and dependencies. */
const skipped = new Set(["test", "testing", "node_modules", ".next"]);

function appFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skipped.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return appFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

describe("the examples' app code", () => {
  it("never imports @guildkit/discord-sim: Discord's URLs come from the configuration", () => {
    const files = appFiles(examplesDir);
    expect(files.length).toBeGreaterThan(10);
    const importing = files.filter((file) => readFileSync(file, "utf8").includes("@guildkit/discord-sim"));
    expect(importing.map((file) => relative(examplesDir, file))).toEqual([]);
  });

  it("lists @guildkit/discord-sim only as a devDependency", () => {
    const folders = readdirSync(examplesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.length).toBe(5);
    for (const { name } of folders) {
      const manifest = JSON.parse(readFileSync(join(examplesDir, name, "package.json"), "utf8"));
      expect(manifest.dependencies?.["@guildkit/discord-sim"], name).toBeUndefined();
    }
  });
});
