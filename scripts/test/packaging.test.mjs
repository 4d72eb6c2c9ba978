import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LOGIN, NOT_FOR_LOGIN } from "../lib/login.mjs";
import {
  BUGS_URL,
  entrySpecifiers,
  PREPACK,
  packProblems,
  REPOSITORY_URL,
  sourceManifestProblems,
  tarballProblems,
  undeclaredImports,
} from "../lib/packaging.mjs";
import { rangeMajors } from "../lib/redis-peer.mjs";
import { withDependencies, workspacePackages } from "../lib/workspace.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const builtins = new Set(builtinModules);

const source = {
  name: "@guildkit/x",
  publishConfig: { exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } } },
};
const built = (path) => path.startsWith("dist/");

describe("the prepack guard", () => {
  const pnpm10 = {
    npm_execpath: "/usr/lib/node_modules/pnpm/bin/pnpm.cjs",
    npm_config_user_agent: "pnpm/10.34.9 npm/? node/v20.20.2 linux x64",
  };
  const npm = {
    npm_execpath: "/usr/lib/node_modules/npm/bin/npm-cli.js",
    npm_config_user_agent: "npm/11.19.1 node/v20.20.2 linux x64 workspaces/false",
  };

  it("refuses npm and yarn, which would ship exports → src and workspace: ranges", () => {
    const yarn = {
      npm_execpath: "/usr/lib/node_modules/yarn/bin/yarn.js",
      npm_config_user_agent: "yarn/1.22.22",
    };
    for (const env of [npm, yarn, {}]) {
      expect(packProblems(source, env, built).join("\n")).toMatch(/would ship exports → \.\/src/);
    }
  });

  it("refuses npm run inside a pnpm script, which inherits pnpm's user agent", () => {
    const inherited = { ...npm, npm_config_user_agent: pnpm10.npm_config_user_agent };
    expect(packProblems(source, inherited, built)).toEqual([expect.stringMatching(/^npm would ship/)]);
  });

  it("lets pnpm 10 pack a built package", () => {
    expect(packProblems(source, pnpm10, built)).toEqual([]);
  });

  it("refuses pnpm before 10, no publishConfig.exports, a src/ target and an unbuilt dist/", () => {
    const pnpm9 = { ...pnpm10, npm_config_user_agent: "pnpm/9.15.0 npm/? node/v20" };
    expect(packProblems(source, pnpm9, built)).toEqual([expect.stringMatching(/pnpm 9/)]);
    expect(packProblems({ name: "x" }, pnpm10, built)).toEqual([
      expect.stringMatching(/no publishConfig\.exports/),
    ]);
    const src = { publishConfig: { exports: { ".": "./src/index.ts" } } };
    expect(packProblems(src, pnpm10, () => true)).toEqual([
      expect.stringMatching(/names \.\/src\/index\.ts/),
    ]);
    expect(packProblems(source, pnpm10, () => false)).toEqual([
      expect.stringMatching(/dist\/index\.d\.ts does not exist: run `pnpm build`/),
      expect.stringMatching(/dist\/index\.js does not exist/),
    ]);
  });

  it("stops `npm pack` in a real package folder before anything is written", () => {
    const result = spawnSync("npm", ["pack", "--dry-run"], {
      cwd: join(root, "packages", "core"),
      encoding: "utf8",
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/refusing to pack @guildkit\/core:\n {2}- npm would ship exports/);
  });

  it("is the prepack script of every package that is published or packed", () => {
    const packable = workspacePackages(root, PREPACK).filter((p) => p.published || p.standIn);
    expect(packable.map((p) => p.name)).toContain("@guildkit/core");
    for (const pkg of packable)
      expect([pkg.name, sourceManifestProblems(pkg.manifest)]).toEqual([pkg.name, []]);
  });
});

const packed = {
  name: "@guildkit/x",
  version: "0.1.0",
  license: "MIT",
  author: "guildkit contributors",
  repository: { type: "git", url: REPOSITORY_URL, directory: "packages/x" },
  homepage: "https://github.com/guildkit/guildkit/tree/main/packages/x#readme",
  bugs: { url: BUGS_URL },
  keywords: ["discord"],
  type: "module",
  engines: { node: ">=20.18" },
  exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
  dependencies: { "@guildkit/core": "^0.1.0" },
};
const files = new Set(["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]);
const check = (manifest, options = {}) =>
  tarballProblems({ manifest, files, licenseMatches: true, directory: "packages/x", ...options });

describe("the packed-manifest check", () => {
  it("passes a tarball pnpm packed from a built package", () => {
    expect(check(packed)).toEqual([]);
  });

  it("fails on workspace: ranges in any dependency field", () => {
    expect(check({ ...packed, dependencies: { "@guildkit/core": "workspace:^" } })).toEqual([
      expect.stringMatching(/dependencies\.@guildkit\/core is "workspace:\^"/),
    ]);
    expect(check({ ...packed, peerDependencies: { "@guildkit/core": "workspace:*" } })).toHaveLength(1);
  });

  it("fails on exports, main or types naming src/, and on entry points the tarball lacks", () => {
    const src = { ...packed, exports: { ".": { types: "./src/index.ts", default: "./src/index.ts" } } };
    expect(check(src)).toEqual([
      expect.stringMatching(/exports names \.\/src\/index\.ts, a source/),
      expect.anything(),
    ]);
    expect(check({ ...packed, main: "./src/index.ts" })).toEqual([
      expect.stringMatching(/main names \.\/src/),
    ]);
    expect(check({ ...packed, types: "./dist/missing.d.ts" })).toEqual([
      expect.stringMatching(/types names \.\/dist\/missing\.d\.ts, which the tarball does not contain/),
    ]);
  });

  it("fails without LICENSE (or with another one), README or the release metadata", () => {
    expect(check(packed, { files: new Set([...files].filter((f) => f !== "LICENSE")) })).toEqual([
      expect.stringMatching(/LICENSE is missing/),
    ]);
    expect(check(packed, { licenseMatches: false })).toEqual([expect.stringMatching(/LICENSE differs/)]);
    const bare = { ...packed, author: undefined, repository: { url: REPOSITORY_URL }, keywords: [] };
    expect(check(bare)).toEqual([
      "no author",
      expect.stringMatching(/repository must be .*"directory": "packages\/x"/),
      "no keywords",
    ]);
  });
});

describe("entry points and imports", () => {
  it("finds every subpath export, skipping ./package.json and expanding patterns", () => {
    const manifest = {
      name: "@guildkit/core",
      exports: {
        ".": "./dist/index.js",
        "./system": { types: "./dist/system.d.ts", default: "./dist/system.js" },
        "./adapters/*": { types: "./dist/adapters/*.d.ts", default: "./dist/adapters/*.js" },
        "./package.json": "./package.json",
      },
    };
    const dist = new Set([
      "dist/index.js",
      "dist/system.js",
      "dist/adapters/a.js",
      "dist/adapters/b.js",
      "dist/adapters/b.d.ts",
    ]);
    expect(entrySpecifiers(manifest, dist)).toEqual([
      "@guildkit/core",
      "@guildkit/core/system",
      "@guildkit/core/adapters/a",
      "@guildkit/core/adapters/b",
    ]);
  });

  it("reports bare imports of undeclared packages, not builtins, relatives or comments", () => {
    const code = [
      'import { z } from "zod";',
      'import {\n  Kysely\n} from "kysely";',
      'const { default: Redis } = await import("ioredis");',
      'import fs from "node:fs";\nimport path from "path";\nimport "./side.js";',
      '/** `select x from "t" as r` */',
    ].join("\n");
    const manifest = {
      name: "@guildkit/x",
      dependencies: { zod: "^4" },
      peerDependencies: { ioredis: "^5" },
    };
    expect(undeclaredImports(manifest, [["dist/index.js", code]], builtins)).toEqual([
      expect.stringMatching(/dist\/index\.js imports "kysely", which package\.json does not declare/),
    ]);
  });

  it("reads the majors an optional peer range names", () => {
    expect(rangeMajors("^5.0.0 || ^6.0.0")).toEqual([5, 6]);
    expect(rangeMajors(">=5.3")).toEqual([5]);
  });
});

describe("the projects of their own (role sync, login)", () => {
  const pkg = (name, packed) => ({ name, packed });
  const packable = [
    pkg("@guildkit/oauth-state", { dependencies: { "@guildkit/core": "^0.1.0", jose: "^6" } }),
    pkg("@guildkit/core", {}),
    pkg("@guildkit/store-sqlite", {
      dependencies: { "@guildkit/store-kysely": "^0.1.0" },
      peerDependencies: { kysely: "^0.28", "@guildkit/role-reconciler": "<1", "@guildkit/config": "^0.1.0" },
      peerDependenciesMeta: { "@guildkit/role-reconciler": { optional: true } },
    }),
    pkg("@guildkit/store-kysely", { dependencies: { "@guildkit/core": "^0.1.0" } }),
    pkg("@guildkit/config", {}),
    pkg("@guildkit/role-reconciler", { dependencies: { "@guildkit/core": "^0.1.0" } }),
  ];
  const names = (list) => list.map((p) => p.name).sort();

  it("install what the chosen packages depend on and their required peers, never an optional peer", () => {
    expect(names(withDependencies(packable, ["@guildkit/oauth-state", "@guildkit/store-sqlite"]))).toEqual([
      "@guildkit/config",
      "@guildkit/core",
      "@guildkit/oauth-state",
      "@guildkit/store-kysely",
      "@guildkit/store-sqlite",
    ]);
  });

  it("the login project chooses no package it must not get", () => {
    expect(LOGIN.filter((name) => NOT_FOR_LOGIN.includes(name))).toEqual([]);
    expect(LOGIN).toEqual(expect.arrayContaining(["@guildkit/oauth-state", "@guildkit/discord-sim"]));
  });
});
