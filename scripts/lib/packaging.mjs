// The packaging rules shared by the `prepack` guard (scripts/pack-guard.mjs) and `pnpm check:packages`.
// Pure functions: each returns a list of problems, one sentence each, saying what to do.

/** The repository every published package.json names (with its own `directory`). */
export const REPOSITORY_URL = "git+https://github.com/guildkit/guildkit.git";
export const HOMEPAGE = "https://github.com/guildkit/guildkit";
export const BUGS_URL = "https://github.com/guildkit/guildkit/issues";
/** The `prepack` script every packable package runs. */
export const PREPACK = "node ../../scripts/pack-guard.mjs";

const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];
const LOCAL_RANGE = /^(workspace|link|file|portal|catalog):/;
const SOURCE_PATH = /(^|\/)src\//;

/** Every file path an `exports` (or `bin`) value names, conditions and subpaths flattened. */
export function exportTargets(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(exportTargets);
  if (value && typeof value === "object") return Object.values(value).flatMap(exportTargets);
  return [];
}

/** `./dist/x.js` → `dist/x.js` (paths inside a tarball's `package/` folder). */
const normalise = (path) => path.replace(/^\.\//, "");

/** Whether `target` (possibly a `*` pattern) names at least one of `files`. */
function targetExists(target, files) {
  const path = normalise(target);
  if (!path.includes("*")) return files.has(path);
  const [head, tail] = path.split("*");
  return [...files].some((file) => file.startsWith(head) && file.endsWith(tail ?? ""));
}

/** The tool running a lifecycle script: `npm_execpath` is its own CLI (`…/npm-cli.js`, `…/pnpm.cjs`). */
function packingTool(env) {
  const file = (env.npm_execpath ?? "").split(/[\\/]/).pop() ?? "";
  return /pnpm/i.test(file)
    ? "pnpm"
    : /yarn/i.test(file)
      ? "yarn"
      : /npm/i.test(file)
        ? "npm"
        : file || "this tool";
}

/**
 * Why the `prepack` guard refuses to pack: not pnpm 10+ (only pnpm applies `publishConfig` and
 * rewrites `workspace:` ranges), no `publishConfig.exports`, or a target that is a source or not built.
 * The tool is told by `npm_execpath`, which each tool sets to its own CLI for the scripts it runs
 * (`npm_config_user_agent` alone is not enough: npm run inside a pnpm script inherits pnpm's), and
 * pnpm's version by `npm_config_user_agent` (`pnpm/10.34.9 …`).
 * @param env the lifecycle script's environment
 * @param exists whether a path relative to the package folder exists
 */
export function packProblems(manifest, env, exists) {
  const problems = [];
  const tool = packingTool(env);
  const pnpm = /^pnpm\/(\d+)\./.exec(env.npm_config_user_agent ?? "");
  if (tool !== "pnpm" || !pnpm) {
    problems.push(
      `${tool === "pnpm" ? "this pnpm" : tool} would ship exports → ./src/*.ts and workspace: ranges: pack with \`pnpm pack\`, release with \`pnpm release\` (DEVELOPERS.md, "Releasing")`,
    );
  } else if (Number(pnpm[1]) < 10) {
    problems.push(`pnpm ${pnpm[1]} does not apply publishConfig.exports: use pnpm 10 (npm i -g pnpm@10)`);
  }
  const published = manifest.publishConfig?.exports;
  if (!published) problems.push("package.json has no publishConfig.exports: the tarball would point at src/");
  for (const target of exportTargets(published ?? {})) {
    if (SOURCE_PATH.test(target)) problems.push(`publishConfig.exports names ${target}: point it at dist/`);
    else if (!target.includes("*") && !exists(normalise(target)))
      problems.push(`${target} does not exist: run \`pnpm build\` first`);
  }
  return problems;
}

/** Local (`workspace:`, `link:`, `file:`…) ranges, which no registry install can resolve. */
function localRanges(manifest) {
  return DEPENDENCY_FIELDS.flatMap((field) =>
    Object.entries(manifest[field] ?? {})
      .filter(([, range]) => LOCAL_RANGE.test(String(range)))
      .map(([dep, range]) => `${field}.${dep} is "${range}": pack with pnpm, which turns it into a version`),
  );
}

/** Entry points (`exports`, `main`, `types`, `module`, `bin`) that name sources or missing files. */
function entryProblems(manifest, files) {
  const problems = [];
  if (!manifest.exports) problems.push("no exports field: name the entry points (types first)");
  const fields = {
    exports: manifest.exports,
    main: manifest.main,
    types: manifest.types,
    typings: manifest.typings,
    module: manifest.module,
    bin: manifest.bin,
  };
  for (const [field, value] of Object.entries(fields)) {
    for (const target of exportTargets(value ?? [])) {
      if (SOURCE_PATH.test(target))
        problems.push(`${field} names ${target}, a source: publishConfig must point at dist/`);
      else if (!targetExists(target, files))
        problems.push(`${field} names ${target}, which the tarball does not contain`);
    }
  }
  return problems;
}

/** The release metadata every published package.json carries (DEVELOPERS.md, "Releasing"). */
export function metadataProblems(manifest, directory) {
  const problems = [];
  const want = (ok, message) => ok || problems.push(message);
  want(manifest.license === "MIT", `license is ${JSON.stringify(manifest.license)}, not "MIT"`);
  want(typeof manifest.author === "string" && manifest.author.length > 0, "no author");
  want(
    manifest.repository?.url === REPOSITORY_URL && manifest.repository?.directory === directory,
    `repository must be { "type": "git", "url": "${REPOSITORY_URL}", "directory": "${directory}" }`,
  );
  want(
    manifest.homepage === `${HOMEPAGE}/tree/main/${directory}#readme`,
    `homepage must be "${HOMEPAGE}/tree/main/${directory}#readme"`,
  );
  want(manifest.bugs?.url === BUGS_URL, `bugs must be { "url": "${BUGS_URL}" }`);
  want(Array.isArray(manifest.keywords) && manifest.keywords.length > 0, "no keywords");
  want(manifest.type === "module", 'type must be "module" (guildkit is ESM-only)');
  want(typeof manifest.engines?.node === "string", "no engines.node");
  return problems;
}

/**
 * Problems of a packed tarball: its manifest (`package/package.json`), its file list (paths below
 * `package/`) and whether its LICENSE is the repository's.
 */
export function tarballProblems({ manifest, files, licenseMatches, directory }) {
  const problems = [
    ...localRanges(manifest),
    ...entryProblems(manifest, files),
    ...metadataProblems(manifest, directory),
  ];
  if (!files.has("README.md")) problems.push("README.md is missing");
  if (!files.has("LICENSE"))
    problems.push("LICENSE is missing: pnpm packs the workspace root's LICENSE into a package that has none");
  else if (!licenseMatches) problems.push("LICENSE differs from the repository's LICENSE");
  return problems;
}

/** Problems of a packable package's repository package.json (what the tarball cannot show). */
export function sourceManifestProblems(manifest) {
  const problems = [];
  if (manifest.scripts?.prepack !== PREPACK)
    problems.push(`scripts.prepack must be "${PREPACK}" (refuses npm and yarn)`);
  if (!manifest.scripts?.build) problems.push("no build script");
  if (!manifest.publishConfig?.exports) problems.push("no publishConfig.exports");
  if (!(manifest.files ?? []).includes("dist")) problems.push('files must include "dist"');
  return problems;
}

/**
 * The import specifiers of a package's public entry points, from its (packed) `exports`:
 * `"."` → the name, `"./system"` → `name/system`; a `*` pattern is expanded over the files it
 * matches. `./package.json` is not an entry point.
 */
export function entrySpecifiers(manifest, files) {
  const exports = manifest.exports;
  if (typeof exports === "string" || Array.isArray(exports) || !exports) return [manifest.name];
  const keys = Object.keys(exports);
  if (!keys.every((key) => key.startsWith("."))) return [manifest.name]; // conditions only: the root
  const specifiers = [];
  for (const key of keys) {
    if (key === "./package.json") continue;
    if (!key.includes("*")) {
      specifiers.push(key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`);
      continue;
    }
    const target =
      exportTargets(exports[key]).find((t) => t.endsWith(".js")) ?? exportTargets(exports[key])[0];
    const [head, tail] = normalise(target ?? "").split("*");
    const [keyHead, keyTail] = key.slice(2).split("*");
    for (const file of files) {
      if (
        file.startsWith(head) &&
        file.endsWith(tail ?? "") &&
        file.length >= head.length + (tail ?? "").length
      )
        specifiers.push(
          `${manifest.name}/${keyHead}${file.slice(head.length, file.length - (tail ?? "").length)}${keyTail ?? ""}`,
        );
    }
  }
  return specifiers;
}

const IMPORT_PATTERNS = [
  /\bfrom\s*["']([^"'\s]+)["'];?\s*$/gm, // import … from "x"; export … from "x"; (ends its line)
  /^\s*import\s*["']([^"'\s]+)["'];?\s*$/gm, // import "x";
  /\bimport\s*\(\s*["']([^"'\s]+)["']\s*\)/g, // import("x"), also in types
  /\brequire\s*\(\s*["']([^"'\s]+)["']\s*\)/g,
];
/** Comments (TSDoc quotes imports): block comments, and lines that are only a comment. */
const COMMENTS = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export const packageOf = (specifier) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];

/**
 * Bare imports in the packed JavaScript and declaration files that the manifest does not declare
 * (`dependencies`, `peerDependencies`, `optionalDependencies`): installed alone, such a package
 * would fail to load or to type-check.
 * @param sources `[path, text]` of the tarball's `.js`/`.mjs`/`.d.ts`/`.d.mts` files
 * @param builtins Node's built-in module names
 */
export function undeclaredImports(manifest, sources, builtins) {
  const declared = new Set([
    manifest.name,
    ...DEPENDENCY_FIELDS.filter((f) => f !== "devDependencies").flatMap((f) =>
      Object.keys(manifest[f] ?? {}),
    ),
  ]);
  const problems = new Map();
  for (const [path, text] of sources) {
    const code = text.replace(COMMENTS, "");
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of code.matchAll(pattern)) {
        const specifier = match[1];
        if (specifier.startsWith(".") || specifier.startsWith("/")) continue;
        if (specifier.startsWith("node:") || builtins.has(specifier) || builtins.has(packageOf(specifier)))
          continue;
        const name = packageOf(specifier);
        if (!declared.has(name) && !problems.has(name))
          problems.set(
            name,
            `${path} imports "${specifier}", which package.json does not declare (dependencies or peerDependencies)`,
          );
      }
    }
  }
  return [...problems.values()];
}
