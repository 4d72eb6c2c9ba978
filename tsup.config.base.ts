import { defineConfig, type Options } from "tsup";

/**
 * The one tsup config every published package uses: ESM, `.d.ts`, one entry.
 * A package's `tsup.config.ts` is three lines: import, call, export.
 */
export function createTsupConfig(options: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: false, // a package with several entries (core: `/system`, `/testing`) passes `entry`
    treeshake: true,
    ...options,
  });
}
